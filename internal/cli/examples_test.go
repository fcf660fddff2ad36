package cli_test

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli"
	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/iostreams"
)

// Commands another engineer is still building. An example may name one only
// while it is absent from the tree; once it lands its examples are checked
// like every other.
var pendingCommands = []string{"agent import", "agent export", "audit"}

// TestExamplesParse checks that every `ladmin ...` command line shown to users
// parses against the real command tree: each fenced code block of README.md
// and the hand-written guides under docs/ (docs/reference is generated from
// the Example fields, which are checked directly), and every command's
// Example. A line parses when its command exists, every flag exists for that
// command (or is inherited), typed flag values are valid, and the arguments
// satisfy the command's Args validator. Values a command checks in RunE (an
// unknown --format, say) are out of scope.
func TestExamplesParse(t *testing.T) {
	var examples []example
	for _, file := range docFiles(t) {
		examples = append(examples, examplesInMarkdown(t, file)...)
	}
	fromDocs := len(examples)
	examples = append(examples, examplesInHelp(newTree())...)
	if fromDocs == 0 || len(examples) == fromDocs {
		t.Fatalf("found %d examples in docs and %d in help text: is the extraction broken?", fromDocs, len(examples)-fromDocs)
	}

	checked := 0
	var pending []string
	for _, ex := range examples {
		for _, r := range checkExample(ex) {
			switch {
			case r.pending:
				pending = append(pending, fmt.Sprintf("%s: %s (%s)", ex.where, ex.line, r.msg))
			case r.msg != "":
				t.Errorf("%s: %s\n\t%s", ex.where, ex.line, r.msg)
			default:
				checked++
			}
		}
	}
	t.Logf("checked %d ladmin invocations (%d found in README.md and docs/, %d in Example fields; each a|b alternative counts once)",
		checked, fromDocs, len(examples)-fromDocs)
	if len(pending) > 0 {
		t.Logf("not checked: %d examples of commands not in the tree yet:\n\t%s", len(pending), strings.Join(pending, "\n\t"))
	}
}

// example is one ladmin invocation found in the documentation.
type example struct {
	where string   // README.md:12, or `ladmin agent list` Example
	line  string   // as written, for the failure message
	args  []string // the words after `ladmin`
}

// newTree is the command tree as Execute sees it, with cobra's help and
// completion commands.
func newTree() *cobra.Command {
	ios, _, _, _ := iostreams.Test()
	f := cli.NewFactory(ios, cmdutil.BuildInfo{Version: "test"})
	f.Getenv = func(string) string { return "" }
	root := cli.NewCmdRoot(f)
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	return root
}

// docFiles are README.md and the hand-written guides.
func docFiles(t *testing.T) []string {
	t.Helper()
	repo := filepath.Join("..", "..")
	files := []string{filepath.Join(repo, "README.md")}
	docs := filepath.Join(repo, "docs")
	err := filepath.WalkDir(docs, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path == filepath.Join(docs, "reference") {
			return filepath.SkipDir // generated from the Example fields
		}
		if !d.IsDir() && strings.HasSuffix(path, ".md") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// skippedLanguages hold data, never commands.
var skippedLanguages = map[string]bool{"json": true, "csv": true, "xml": true, "go": true, "text": true, "output": true}

// examplesInMarkdown extracts the ladmin command lines of fenced code blocks.
// In a block where some lines start with a `$ ` prompt, only those are
// commands (the rest is output).
func examplesInMarkdown(t *testing.T, path string) []example {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	name, _ := filepath.Rel(filepath.Join("..", ".."), path)
	name = filepath.ToSlash(name)

	type line struct {
		n    int
		text string
	}
	var out []example
	var block []line
	var fence, lang string
	flush := func() {
		prompted := slices.ContainsFunc(block, func(l line) bool { return strings.HasPrefix(strings.TrimSpace(l.text), "$ ") })
		for _, l := range joinContinuations(block, func(l line) string { return l.text }, func(l line, s string) line { return line{l.n, s} }) {
			text := strings.TrimSpace(l.text)
			if prompted && !strings.HasPrefix(text, "$ ") {
				continue
			}
			where := fmt.Sprintf("%s:%d", name, l.n)
			out = append(out, examplesInLine(where, text)...)
		}
		block = nil
	}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		trimmed := strings.TrimSpace(text)
		switch {
		case fence == "" && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")):
			fence = trimmed[:3]
			lang = strings.ToLower(strings.TrimSpace(strings.TrimLeft(trimmed, fence[:1])))
		case fence != "" && strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "":
			if !skippedLanguages[lang] {
				flush()
			}
			block, fence = nil, ""
		case fence != "":
			block = append(block, line{n, text})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if fence != "" {
		t.Errorf("%s: unterminated code block", name)
	}
	return out
}

// examplesInHelp extracts the ladmin command lines of every Example field.
func examplesInHelp(root *cobra.Command) []example {
	var out []example
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		lines := strings.Split(c.Example, "\n")
		for _, l := range joinContinuations(lines, func(s string) string { return s }, func(_ string, s string) string { return s }) {
			out = append(out, examplesInLine(fmt.Sprintf("`%s` Example", c.CommandPath()), strings.TrimSpace(l))...)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return out
}

// joinContinuations joins lines that end with a backslash to the next one.
func joinContinuations[L any](lines []L, text func(L) string, with func(L, string) L) []L {
	var out []L
	for i := 0; i < len(lines); i++ {
		first := lines[i]
		s := text(first)
		for strings.HasSuffix(s, `\`) && i+1 < len(lines) {
			i++
			s = strings.TrimSuffix(s, `\`) + " " + strings.TrimSpace(text(lines[i]))
		}
		out = append(out, with(first, s))
	}
	return out
}

// linePrefixes are what surrounds a command in docs: a console prompt, a
// YAML list item, a CI step's `run:`.
var linePrefixes = []string{"$ ", "- ", "run: "}

// examplesInLine finds the ladmin invocations of one shell line, including
// those after a pipe, && or ;, and inside $(...).
func examplesInLine(where, line string) []example {
	text := line
	for again := true; again; {
		again = false
		for _, p := range linePrefixes {
			if strings.HasPrefix(text, p) {
				text, again = strings.TrimSpace(strings.TrimPrefix(text, p)), true
			}
		}
	}
	commands, nested := shellCommands(text)
	var out []example
	for _, words := range commands {
		if args, ok := ladminArgs(words); ok {
			out = append(out, example{where: where, line: line, args: args})
		}
	}
	for _, inner := range nested {
		for _, ex := range examplesInLine(where, inner) {
			ex.line = line
			out = append(out, ex)
		}
	}
	return out
}

var envAssignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// shellPrefixes may precede a command on a line.
var shellPrefixes = map[string]bool{"if": true, "then": true, "elif": true, "else": true, "do": true,
	"while": true, "until": true, "!": true, "time": true, "exec": true, "{": true}

// ladminArgs returns the arguments of words when they run ladmin, after any
// environment assignments: `ladmin ...`, `./ladmin ...`, `go run ./cmd/ladmin ...`.
func ladminArgs(words []string) ([]string, bool) {
	for len(words) > 0 && (envAssignment.MatchString(words[0]) || shellPrefixes[words[0]]) {
		words = words[1:]
	}
	switch {
	case len(words) >= 1 && (words[0] == "ladmin" || words[0] == "./ladmin"):
		return words[1:], true
	case len(words) >= 3 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/ladmin":
		return words[3:], true
	}
	return nil, false
}

// shellCommands splits a line of shell into simple commands and their
// words: quotes are removed, operators (| || && ; &) separate commands,
// redirections and their targets are dropped, and a # comment ends the line.
// The contents of $(...) and `...` are returned as nested for the caller to
// search too. Synopsis notation is understood as well: [optional] groups lose
// their brackets, a <placeholder> is one word, and a|b without spaces is one
// word (alternatives), not a pipe.
func shellCommands(line string) (commands [][]string, nested []string) {
	var words []string
	var cur strings.Builder
	inWord, dropNext := false, false
	endWord := func() {
		if inWord {
			if dropNext {
				dropNext = false
			} else {
				words = append(words, cur.String())
			}
		}
		cur.Reset()
		inWord = false
	}
	endCommand := func() {
		endWord()
		if len(words) > 0 {
			commands = append(commands, words)
		}
		words = nil
		dropNext = false
	}
	r := []rune(line)
	at := func(i int) rune {
		if i < len(r) {
			return r[i]
		}
		return 0
	}
	space := func(c rune) bool { return c == 0 || c == ' ' || c == '\t' }
	// balanced returns the index just past the ) that closes the ( at i.
	balanced := func(i int) int {
		depth := 0
		var quote rune
		for ; i < len(r); i++ {
			switch c := r[i]; {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '\'' || c == '"':
				quote = c
			case c == '(':
				depth++
			case c == ')':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(r)
	}
	substitution := func(i int) int { // r[i:] starts with $(
		end := balanced(i + 1)
		nested = append(nested, string(r[i+2:max(i+2, end-1)]))
		cur.WriteString(string(r[i:end]))
		inWord = true
		return end
	}

	for i := 0; i < len(r); {
		c := r[i]
		switch {
		case space(c):
			endWord()
			i++
		case c == '#' && !inWord:
			endCommand()
			return commands, nested
		case c == '\'':
			j := i + 1
			for j < len(r) && r[j] != '\'' {
				j++
			}
			cur.WriteString(string(r[i+1 : j]))
			inWord = true
			i = j + 1
		case c == '"':
			inWord = true
			i++
			for i < len(r) && r[i] != '"' {
				switch {
				case r[i] == '\\' && i+1 < len(r) && strings.ContainsRune("\"\\$`", r[i+1]):
					cur.WriteRune(r[i+1])
					i += 2
				case r[i] == '$' && at(i+1) == '(':
					i = substitution(i)
				default:
					cur.WriteRune(r[i])
					i++
				}
			}
			i++
		case c == '\\':
			if i+1 < len(r) {
				cur.WriteRune(r[i+1])
				inWord = true
			}
			i += 2
		case c == '$' && at(i+1) == '(':
			i = substitution(i)
		case c == '`':
			j := i + 1
			for j < len(r) && r[j] != '`' {
				j++
			}
			nested = append(nested, string(r[i+1:j]))
			cur.WriteString(string(r[i:min(j+1, len(r))]))
			inWord = true
			i = j + 1
		case c == '|':
			if at(i+1) == '|' {
				endCommand()
				i += 2
			} else if !inWord || space(at(i+1)) {
				endCommand()
				i++
			} else { // a|b: alternatives in a synopsis
				cur.WriteRune(c)
				i++
			}
		case c == '&':
			switch {
			case at(i+1) == '&':
				endCommand()
				i += 2
			case at(i+1) == '>': // &> file
				endWord()
				dropNext = true
				i += 2
				if at(i) == '>' {
					i++
				}
			default:
				endCommand()
				i++
			}
		case c == ';' || c == '(' || c == ')':
			endCommand()
			i++
		case c == '<' && !inWord && placeholderAt(r, i):
			end := i + strings.IndexRune(string(r[i:]), '>') + 1
			cur.WriteString(string(r[i:end]))
			inWord = true
			i = end
		case c == '>' || c == '<':
			if inWord && isDigits(cur.String()) { // 2> file: the 2 is a descriptor
				cur.Reset()
				inWord = false
			}
			endWord()
			i++
			for at(i) == c {
				i++
			}
			if at(i) == '&' { // 2>&1, >&2: no target word
				i++
				for at(i) == '-' || (at(i) >= '0' && at(i) <= '9') {
					i++
				}
			} else {
				dropNext = true
			}
		case c == '[' && !inWord:
			i++ // [--flag VALUE]: an optional part of a synopsis
		case c == ']' && (space(at(i+1)) || strings.ContainsRune("|;&#", at(i+1))):
			i++
		default:
			cur.WriteRune(c)
			inWord = true
			i++
		}
	}
	endCommand()
	return commands, nested
}

// placeholderAt reports whether r[i:] is a synopsis placeholder such as
// <id|email> rather than an input redirection.
func placeholderAt(r []rune, i int) bool {
	if i+1 >= len(r) || !(r[i+1] >= 'a' && r[i+1] <= 'z' || r[i+1] >= 'A' && r[i+1] <= 'Z') {
		return false
	}
	for j := i + 1; j < len(r); j++ {
		switch r[j] {
		case '>':
			return true
		case ' ', '\t':
			return false
		}
	}
	return false
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// placeholder matches a value written as a name to fill in: N, FILE, <role>.
var placeholder = regexp.MustCompile(`^(<[^>]+>|[A-Z][A-Z0-9_]*)(\.\.\.)?$`)

// result is the verdict on one invocation (one per alternative of a|b).
type result struct {
	msg     string // empty when it parses
	pending bool   // it names a command still being built
}

// checkExample parses one invocation the way Execute would, without running it.
func checkExample(ex example) []result {
	var out []result
	for _, args := range alternatives(ex.args) {
		out = append(out, checkArgs(args))
	}
	return out
}

// alternatives expands a|b|c where it names subcommands, so that
// `ladmin completion bash|zsh` checks both commands.
func alternatives(args []string) [][]string {
	for i, a := range args {
		if !strings.Contains(a, "|") || strings.HasPrefix(a, "-") || strings.HasPrefix(a, "<") {
			continue
		}
		parent, rest, err := newTree().Find(args[:i])
		if err != nil || slices.ContainsFunc(rest, func(s string) bool { return !strings.HasPrefix(s, "-") }) {
			continue
		}
		alts := strings.Split(a, "|")
		if !allSubcommands(parent, alts) {
			continue
		}
		var out [][]string
		for _, alt := range alts {
			v := slices.Concat(args[:i], []string{alt}, args[i+1:])
			out = append(out, alternatives(v)...)
		}
		return out
	}
	return [][]string{args}
}

func allSubcommands(parent *cobra.Command, names []string) bool {
	for _, n := range names {
		if subcommand(parent, n) == nil {
			return false
		}
	}
	return true
}

func subcommand(parent *cobra.Command, name string) *cobra.Command {
	for _, c := range parent.Commands() {
		if c.Name() == name || c.HasAlias(name) {
			return c
		}
	}
	return nil
}

func checkArgs(args []string) result {
	root := newTree()
	cmd, rest, err := root.Find(args)
	if err != nil {
		return unknownCommand(root, args, err.Error())
	}
	cmd.InitDefaultHelpFlag()
	_ = cmd.InheritedFlags() // merges the persistent flags of the parents into cmd.Flags()
	rest, variadic := fillPlaceholders(cmd, rest)
	if err := cmd.ParseFlags(rest); err != nil {
		return result{msg: fmt.Sprintf("%s: %v", cmd.CommandPath(), err)}
	}
	if help, _ := cmd.Flags().GetBool("help"); help {
		return result{}
	}
	positional := cmd.Flags().Args()
	if cmd.HasAvailableSubCommands() && len(positional) > 0 {
		return unknownCommand(root, args, fmt.Sprintf("unknown command %q for %q", positional[0], cmd.CommandPath()))
	}
	if !cmd.Runnable() {
		return result{} // a group alone prints its help
	}
	if !variadic {
		if err := cmd.ValidateArgs(positional); err != nil {
			return result{msg: fmt.Sprintf("%s: %v", cmd.CommandPath(), err)}
		}
	}
	if err := cmd.ValidateRequiredFlags(); err != nil {
		return result{msg: fmt.Sprintf("%s: %v", cmd.CommandPath(), err)}
	}
	if err := cmd.ValidateFlagGroups(); err != nil {
		return result{msg: fmt.Sprintf("%s: %v", cmd.CommandPath(), err)}
	}
	return result{}
}

// unknownCommand reports an unknown command, unless it is one of the
// pendingCommands and still absent from the tree.
func unknownCommand(root *cobra.Command, args []string, msg string) result {
	var words []string
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			words = append(words, a)
		}
	}
	path := strings.Join(words, " ")
	for _, p := range pendingCommands {
		if path == p || strings.HasPrefix(path, p+" ") {
			if c, _, err := root.Find(strings.Fields(p)); err != nil || c.CommandPath() != "ladmin "+p {
				return result{msg: msg, pending: true}
			}
		}
	}
	return result{msg: "unknown command: " + msg}
}

// fillPlaceholders gives typed flags written with a placeholder value
// (--limit N, --latency DUR) a valid value of their type, and reports whether
// an ellipsis (`...`) stands for arguments, which leaves their count open.
func fillPlaceholders(cmd *cobra.Command, args []string) ([]string, bool) {
	out := slices.Clone(args)
	variadic := false
	for i := 0; i < len(out); i++ {
		a := out[i]
		if a == "..." || placeholder.MatchString(a) && strings.HasSuffix(a, "...") {
			variadic = true
		}
		if !strings.HasPrefix(a, "-") || a == "-" || a == "--" || strings.Contains(a, "=") {
			continue
		}
		var name string
		if strings.HasPrefix(a, "--") {
			name = a[2:]
		} else if len(a) == 2 {
			if f := cmd.Flags().ShorthandLookup(a[1:]); f != nil {
				name = f.Name
			}
		}
		f := cmd.Flags().Lookup(name)
		if f == nil || f.NoOptDefVal != "" || i+1 >= len(out) || !placeholder.MatchString(out[i+1]) {
			continue
		}
		switch typ := f.Value.Type(); {
		case strings.HasPrefix(typ, "int"), strings.HasPrefix(typ, "uint"), typ == "count":
			out[i+1] = "1"
		case strings.HasPrefix(typ, "float"):
			out[i+1] = "0.5"
		case typ == "duration":
			out[i+1] = "1s"
		}
		i++
	}
	return out, variadic
}

// TestShellCommands pins down the small shell-words splitter.
func TestShellCommands(t *testing.T) {
	for _, tc := range []struct {
		line   string
		want   [][]string
		nested []string
	}{
		{`ladmin agent list`, [][]string{{"ladmin", "agent", "list"}}, nil},
		{`ladmin agent create --name "Ana Pérez" --email ana@acme.com`,
			[][]string{{"ladmin", "agent", "create", "--name", "Ana Pérez", "--email", "ana@acme.com"}}, nil},
		{`LADMIN_API_KEY=x ladmin whoami # who`, [][]string{{"LADMIN_API_KEY=x", "ladmin", "whoami"}}, nil},
		{`echo "$KEY" | ladmin auth login --url u`, [][]string{{"echo", "$KEY"}, {"ladmin", "auth", "login", "--url", "u"}}, nil},
		{`ladmin agent export -o json > roster.json`, [][]string{{"ladmin", "agent", "export", "-o", "json"}}, nil},
		{`ladmin auth login < key.txt && ladmin whoami; ladmin version &`,
			[][]string{{"ladmin", "auth", "login"}, {"ladmin", "whoami"}, {"ladmin", "version"}}, nil},
		{`ladmin x 2> err.log >&2 2>&1 &> all.log`, [][]string{{"ladmin", "x"}}, nil},
		{`ladmin audit || status=$?`, [][]string{{"ladmin", "audit"}, {"status=$?"}}, nil},
		{`id=$(ladmin agent get a -o json --jq '.id')`, [][]string{{"id=$(ladmin agent get a -o json --jq '.id')"}},
			[]string{"ladmin agent get a -o json --jq '.id'"}},
		{`ladmin agent list --jq '.[] | .email' -o json`, [][]string{{"ladmin", "agent", "list", "--jq", ".[] | .email", "-o", "json"}}, nil},
		{`ladmin agent get <id|email>`, [][]string{{"ladmin", "agent", "get", "<id|email>"}}, nil},
		{`ladmin agent list [--role R] [--status active|deleted|all] [--email '*@acme.com']`,
			[][]string{{"ladmin", "agent", "list", "--role", "R", "--status", "active|deleted|all", "--email", "*@acme.com"}}, nil},
		{`ladmin completion bash|zsh`, [][]string{{"ladmin", "completion", "bash|zsh"}}, nil},
		{`a\ b 'it''s' "q\"uote"`, [][]string{{"a b", "its", `q"uote`}}, nil},
	} {
		got, nested := shellCommands(tc.line)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) || fmt.Sprint(nested) != fmt.Sprint(tc.nested) {
			t.Errorf("shellCommands(%q)\n got %q nested %q\nwant %q nested %q", tc.line, got, nested, tc.want, tc.nested)
		}
	}
}

// TestCheckerCatchesBrokenExamples makes sure the checker is not vacuous.
func TestCheckerCatchesBrokenExamples(t *testing.T) {
	for _, tc := range []struct {
		line string
		bad  string // part of the expected message; empty when the line is fine
	}{
		{`ladmin agent list --role admin -o json`, ""},
		{`LADMIN_API_KEY=k ladmin --profile ci agent get ana@acme.com`, ""},
		{`ladmin completion bash|zsh|fish|powershell`, ""},
		{`ladmin config get|set|list ...`, ""},
		{`ladmin agent list [--limit N] [--sort name]`, ""},
		{`ladmin agent delete <id|email>... [--yes]`, ""},
		{`ladmin agent --help`, ""},
		{`go run ./cmd/ladmin demo`, ""},
		{`ladmin agnet list`, "unknown command"},
		{`ladmin agent frobnicate`, "unknown command"},
		{`ladmin completion tcsh`, "unknown command"},
		{`ladmin agent list --colour`, "unknown flag"},
		{`ladmin agent list --limit ten`, "invalid argument"},
		{`ladmin agent get`, "needs <id|email>"},
		{`ladmin agent get a b`, "takes only <id|email>"},
		{`ladmin version now`, "takes no arguments"},
	} {
		exs := examplesInLine("test", tc.line)
		if len(exs) != 1 {
			t.Errorf("%q: found %d invocations, want 1", tc.line, len(exs))
			continue
		}
		var msgs []string
		for _, r := range checkExample(exs[0]) {
			if r.msg != "" {
				msgs = append(msgs, r.msg)
			}
		}
		got := strings.Join(msgs, "; ")
		switch {
		case tc.bad == "" && got != "":
			t.Errorf("%q: want no problem, got %s", tc.line, got)
		case tc.bad != "" && !strings.Contains(got, tc.bad):
			t.Errorf("%q: want a problem containing %q, got %q", tc.line, tc.bad, got)
		}
	}
}

// mdLink matches the target of an inline markdown link: [text](target).
var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestDocLinks checks that relative links between README.md and docs/ (the
// generated reference included) point at files that exist.
func TestDocLinks(t *testing.T) {
	repo := filepath.Join("..", "..")
	files := []string{filepath.Join(repo, "README.md")}
	err := filepath.WalkDir(filepath.Join(repo, "docs"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".md") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mdLink.FindAllStringSubmatch(string(data), -1) {
			target, _, _ := strings.Cut(m[1], "#")
			if target == "" || strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			checked++
			if _, err := os.Stat(filepath.Join(filepath.Dir(file), filepath.FromSlash(target))); err != nil {
				rel, _ := filepath.Rel(repo, file)
				t.Errorf("%s: broken link to %s", filepath.ToSlash(rel), m[1])
			}
		}
	}
	t.Logf("checked %d relative links in %d files", checked, len(files))
}
