package cli

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ladmin/ladmin/internal/rbac"
)

// suggestShorthand adds a next step to pflag's "unknown shorthand flag: 'x'
// in -x" error, which alone says nothing about what was meant:
//
//   - a long flag typed with one dash (-limit, -lmit=5, -quiet): --limit;
//   - a shorthand in the wrong case (-O): -o;
//   - a letter that starts one to three flag names (-r): --role.
//
// Otherwise the message is left as it is, and the caller points at the
// command's help.
func suggestShorthand(cmd *cobra.Command, msg string) string {
	rest, ok := strings.CutPrefix(msg, "unknown shorthand flag: '")
	if !ok {
		return msg
	}
	letter, arg, ok := strings.Cut(rest, "' in -")
	if !ok || utf8.RuneCountInString(letter) != 1 {
		return msg
	}
	var longs []string
	shorts := map[string]*pflag.Flag{}
	seen := map[string]bool{}
	visit := func(fl *pflag.Flag) {
		if fl.Hidden || seen[fl.Name] {
			return
		}
		seen[fl.Name] = true
		longs = append(longs, fl.Name)
		if fl.Shorthand != "" {
			shorts[fl.Shorthand] = fl
		}
	}
	cmd.Flags().VisitAll(visit)
	cmd.InheritedFlags().VisitAll(visit)

	// One dash before a long flag's name: pflag read its letters as
	// shorthands, and quotes what is left from the first unknown one (-quiet
	// is -q, then 'u' in -uiet).
	name, _, _ := strings.Cut(arg, "=")
	if utf8.RuneCountInString(name) > 1 {
		for _, l := range longs {
			if strings.EqualFold(l, name) || isClusterThen(l, name, shorts) {
				return fmt.Sprintf("%s (did you mean --%s? long flags take two dashes)", msg, l)
			}
		}
		if s := rbac.Suggest(name, longs); s != "" {
			return fmt.Sprintf("%s (did you mean --%s?)", msg, s)
		}
	}

	r, _ := utf8.DecodeRuneInString(letter)
	if (r == 'v' || r == 'V') && !cmd.HasParent() && cmd.Flags().Lookup("version") == nil {
		return msg + " (did you mean `ladmin version`?)" // what -v and -V print elsewhere
	}
	for _, other := range []rune{unicode.ToLower(r), unicode.ToUpper(r)} {
		if other != r && shorts[string(other)] != nil {
			return fmt.Sprintf("%s (did you mean -%c?)", msg, other)
		}
	}
	var starting []string
	for _, l := range longs {
		if first, _ := utf8.DecodeRuneInString(l); unicode.ToLower(first) == unicode.ToLower(r) && l != "help" {
			starting = append(starting, "--"+l)
		}
	}
	if len(starting) > 0 && len(starting) <= 3 {
		return fmt.Sprintf("%s (did you mean %s?)", msg, orList(starting))
	}
	return msg
}

// isClusterThen reports whether long is rest preceded by letters that are
// all shorthands of boolean flags, which pflag accepted before it stopped at
// rest: "quiet" is "q" (--quiet) then "uiet".
func isClusterThen(long, rest string, shorts map[string]*pflag.Flag) bool {
	head, ok := strings.CutSuffix(strings.ToLower(long), strings.ToLower(rest))
	if !ok || head == "" {
		return false
	}
	for _, c := range head {
		fl := shorts[string(c)]
		if fl == nil || fl.NoOptDefVal == "" {
			return false
		}
	}
	return true
}

// orList joins "a", "a or b", "a, b or c".
func orList(items []string) string {
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}
