package output

import (
	"strings"
	"testing"
)

func TestMessageOffATerminalIsOneLine(t *testing.T) {
	msg := strings.Repeat("a long message ", 20) + "`ladmin agent list --help`"
	if got := Message("error:", msg, 0); got != "error: "+msg {
		t.Errorf("width 0 changed the message:\n%s", got)
	}
	if got := Message("error:", "short", 80); got != "error: short" {
		t.Errorf("a message that fits: %q", got)
	}
}

func TestMessageWrapsWithoutBreakingWhatIsCopied(t *testing.T) {
	for _, tc := range []struct {
		name, prefix, msg string
		width             int
		want              []string
	}{
		{
			"hint with a quoted command", "error:",
			"invalid API key; it came from LADMIN_API_KEY: check it with `ladmin auth status`, or log in again with `ladmin auth login` (exit 3)",
			40,
			[]string{
				"error: invalid API key; it came from",
				"       LADMIN_API_KEY: check it with",
				"       `ladmin auth status`, or log in",
				"       again with `ladmin auth login`",
				"       (exit 3)",
			},
		},
		{
			"url, email and a quoted value with spaces", "error:",
			`cannot invite "Ana María Pérez" <ana.maria.perez@example.com> at https://acme.ladesk.com/api/v3/agents (exit 6)`,
			30,
			[]string{
				"error: cannot invite",
				`       "Ana María Pérez"`,
				"       <ana.maria.perez@example.com>",
				"       at",
				"       https://acme.ladesk.com/api/v3/agents",
				"       (exit 6)",
			},
		},
		{
			"a path and a flag longer than the line stay whole", "warning:",
			"config file /home/someone/.config/ladmin/config.yaml is readable by others (mode 0644); run: chmod 600 /home/someone/.config/ladmin/config.yaml",
			44,
			[]string{
				"warning: config file",
				"         /home/someone/.config/ladmin/config.yaml",
				"         is readable by others (mode 0644);",
				"         run: chmod 600",
				"         /home/someone/.config/ladmin/config.yaml",
			},
		},
		{
			"no prefix: a note indents by two", "",
			"showing 5 of 606 agents (--limit 0 shows all); sorted by name in the order of your language",
			40,
			[]string{
				"showing 5 of 606 agents (--limit 0 shows",
				"  all); sorted by name in the order of",
				"  your language",
			},
		},
		{
			"a parenthesis longer than three words breaks; an escaped quote stays inside its value", "error:",
			`unknown shorthand flag: 'l' in -limit (did you mean --limit? long flags take two dashes); name "a \"b c\" d" e`,
			36,
			[]string{
				"error: unknown shorthand flag: 'l'",
				"       in -limit (did you mean",
				"       --limit? long flags take two",
				`       dashes); name "a \"b c\" d" e`,
			},
		},
		{
			"a lone quote is an ordinary character", "error:",
			"it's a `broken quote in a sentence that goes on",
			24,
			[]string{
				"error: it's a `broken",
				"       quote in a",
				"       sentence that",
				"       goes on",
			},
		},
		{
			"lines of its own keep their indentation", "error:",
			"3 rows are invalid:\n  roster.csv:3: column \"role\": unknown role \"admn\" (did you mean \"admin\"?)",
			40,
			[]string{
				"error: 3 rows are invalid:",
				`  roster.csv:3: column "role": unknown`,
				`         role "admn" (did you mean`,
				`         "admin"?)`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Message(tc.prefix, tc.msg, tc.width)
			if want := strings.Join(tc.want, "\n"); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
			// Nothing is lost or reordered: the words are the message's.
			flat := strings.Join(strings.Fields(got), " ")
			if orig := strings.Join(strings.Fields(strings.TrimSpace(tc.prefix+" "+tc.msg)), " "); flat != orig {
				t.Errorf("the words changed:\n%s\n%s", flat, orig)
			}
		})
	}
}

func TestMessageWideCharacters(t *testing.T) {
	// 山田太郎 takes 8 columns, not 4: the line breaks before it.
	got := Message("error:", "agent 山田太郎 <yamada@example.com> not found (exit 5)", 28)
	want := "error: agent 山田太郎\n       <yamada@example.com>\n       not found (exit 5)"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	for _, line := range strings.Split(got, "\n") {
		if w := DisplayWidth(line); w > 28 {
			t.Errorf("%q is %d columns wide", line, w)
		}
	}
}
