package cmdutil

import (
	"os"
	"path/filepath"
)

// File names one file a command reads or writes, with the flag that named it.
type File struct {
	Flag string // "--policy", "-f"
	Path string // "-" (stdin or stdout) is never compared
}

// CheckOutputs refuses (exit 2, before anything is done) an output file that
// is one of the command's inputs or another of its outputs: the same path, a
// symbolic link to it, or a hard link of it (os.SameFile), so that a report
// can never overwrite the policy, baseline or roster it was made from. It is
// the one check every command with an output file calls.
func CheckOutputs(outputs []File, inputs []File) error {
	for i, out := range outputs {
		if out.Path == "" || out.Path == "-" {
			continue
		}
		for _, in := range inputs {
			if in.Path == "" || in.Path == "-" {
				continue
			}
			if SameFile(out.Path, in.Path) {
				return Usagef("%s %s is the %s file: writing it would overwrite an input; choose another file",
					out.Flag, out.Path, in.Flag)
			}
		}
		for _, other := range outputs[i+1:] {
			if other.Path != "" && other.Path != "-" && SameFile(out.Path, other.Path) {
				return Usagef("%s and %s must be different files", out.Flag, other.Flag)
			}
		}
	}
	return nil
}

// SameFile reports whether a and b name the same file: os.SameFile when both
// exist (symbolic and hard links included), else the same absolute path once
// the symbolic links of its directory are resolved.
func SameFile(a, b string) bool {
	if fa, err := os.Stat(a); err == nil {
		if fb, err := os.Stat(b); err == nil {
			return os.SameFile(fa, fb)
		}
	}
	return canonical(a) == canonical(b)
}

func canonical(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs))
	}
	return abs
}
