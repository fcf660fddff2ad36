package agent

import (
	"bytes"
	"context"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
)

// ListOptions are the inputs of `agent list`.
type ListOptions struct {
	F          *cmdutil.Factory
	Role       string
	Status     string
	Department string
	Email      string
	Sort       string
	Limit      int
}

// sortable are the Agent fields --sort accepts (the API's own names).
var sortable = []string{"id", "name", "email", "role", "role_id", "status", "gender",
	"online_status", "last_pswd_change", "twofactor_auth"}

// NewCmdList is `ladmin agent list`.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{F: f}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List agents",
		Long: `List the agents of the account: active ones by default.

--email takes a shell-style glob (*@acme.com), matched case-insensitively. --role takes
a built-in or custom role. Output formats json, yaml and csv always print a list ([] when empty).

--sort name sorts names as people of your language expect (LC_ALL, LC_COLLATE or LANG):
names written in its script come first (Cyrillic for ru_RU, kana and kanji for ja_JP,
Hangul for ko_KR, Greek for el_GR), then the others in Unicode's order (Latin, Greek,
Cyrillic, ..., Hangul, kana, Han); within a script Łukasz is next to Lukas, accents and
case after the letters. ladmin sorts them itself, so it reads every agent, also with --limit. Other fields are sorted by the server. On a
terminal, --limit says how many agents there are in all ("showing 5 of 606").`,
		Example: `  ladmin agent list
  ladmin agent list --role admin --email '*@acme.com'
  ladmin agent list --status deleted -o json
  ladmin agent list --department support --sort name -o wide`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch opts.Status {
			case "active", "deleted", "all":
			default:
				return cmdutil.Usagef("invalid --status %q: use active, deleted or all", opts.Status)
			}
			if opts.Sort != "" && !contains(sortable, opts.Sort) {
				return cmdutil.Usagef("invalid --sort %q: use one of %s", opts.Sort, strings.Join(sortable, ", "))
			}
			if opts.Limit < 0 {
				return cmdutil.Usagef("invalid --limit %d: use a positive number", opts.Limit)
			}
			if opts.Email != "" {
				if _, err := path.Match(strings.ToLower(opts.Email), ""); err != nil {
					return cmdutil.Usagef("invalid --email pattern %q: %v", opts.Email, err)
				}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Role, "role", "", "only agents with this role (built-in or custom)")
	cmd.Flags().StringVar(&opts.Status, "status", "active", "active, deleted or all")
	cmd.Flags().StringVar(&opts.Department, "department", "", "only agents in this department (name or id)")
	cmd.Flags().StringVar(&opts.Email, "email", "", "only emails matching this glob, e.g. '*@acme.com'")
	cmd.Flags().StringVar(&opts.Sort, "sort", "", "sort by this field: "+strings.Join(sortable, ", ")+
		"; name sorts as your language does (LANG), on this side, so every agent is read even with --limit")
	cmd.Flags().IntVar(&opts.Limit, "limit", 0, "show at most N agents (0: all)")
	_ = cmd.RegisterFlagCompletionFunc("role", cmdutil.CompleteRoles(f))
	_ = cmd.RegisterFlagCompletionFunc("status", cmdutil.CompleteWords("active", "deleted", "all"))
	_ = cmd.RegisterFlagCompletionFunc("department", cmdutil.CompleteDepartments(f))
	_ = cmd.RegisterFlagCompletionFunc("sort", cmdutil.CompleteWords(sortable...))
	return cmd
}

func listRun(ctx context.Context, opts *ListOptions) error {
	f := opts.F
	o, c, err := f.Connect()
	if err != nil {
		return err
	}
	lo := liveagent.ListOptions{SortField: opts.Sort}
	switch opts.Status {
	case "deleted":
		lo.Filters = append(lo.Filters, liveagent.Filter{Field: "status", Op: "=", Value: liveagent.StatusDeleted})
	case "all":
		lo.Filters = append(lo.Filters, liveagent.Filter{Field: "status", Op: "in",
			Value: []string{liveagent.StatusActive, liveagent.StatusDeleted}})
	}
	// What a filter is built from is read first (so an unknown role or
	// department fails before the list is read); the rest is read alongside
	// the agents. Roles only name roles in the table: structured output,
	// which prints the API's fields, does not read them.
	var roles *liveagent.RoleIndex
	if opts.Role != "" {
		if roles, err = c.Roles(ctx); err != nil {
			return err
		}
		r, err := cmdutil.ResolveRole(roles, opts.Role)
		if err != nil {
			return err
		}
		if r.Opaque {
			// A custom role seen from outside is known by its id alone.
			lo.Filters = append(lo.Filters, liveagent.Filter{Field: "role_id", Op: "=", Value: r.ID})
		} else {
			role, roleID := liveagent.Assign(r)
			lo.Filters = append(lo.Filters, liveagent.Filter{Field: "role", Op: "=", Value: role},
				liveagent.Filter{Field: "role_id", Op: "=", Value: roleID})
		}
	}
	if like, ok := globToLike(opts.Email); ok {
		// Narrow on the server; the exact glob is still applied below.
		lo.Filters = append(lo.Filters, liveagent.Filter{Field: "email", Op: "like", Value: like})
	}
	var depts *liveagent.DepartmentIndex
	var deptID string
	if opts.Department != "" {
		if depts, err = c.Departments(ctx); err != nil {
			return err
		}
		ids, err := cmdutil.ResolveDepartments(depts, []string{opts.Department})
		if err != nil {
			return err
		}
		deptID = ids[0]
	}

	byName := opts.Sort == "name"
	if byName {
		// Names are sorted here, by collation: the server's byte order puts
		// Łukasz after Zoe. So every row is read, whatever --limit says.
		lo.SortField = ""
	}
	total := -1
	if opts.Email == "" && deptID == "" && !byName {
		// Nothing is filtered or sorted after the server: it can stop at
		// the limit, and says how many there are.
		lo.Limit = opts.Limit
		lo.Total = &total
	}
	var agents []liveagent.Agent
	reads := []func() error{func() (err error) { agents, err = c.ListAgents(ctx, lo); return err }}
	if roles == nil && !cmdutil.IsStructured(o) {
		reads = append(reads, func() (err error) { roles, err = c.Roles(ctx); return err })
	}
	if depts == nil && o.Format == "wide" {
		reads = append(reads, func() (err error) { depts, err = c.Departments(ctx); return err })
	}
	if err := readAll(reads...); err != nil {
		return err
	}
	agents = filterAgents(agents, opts.Email, deptID, depts)
	if byName {
		sortByName(agents, f.Getenv)
	}
	if lo.Total == nil {
		total = len(agents)
	}
	if opts.Limit > 0 && len(agents) > opts.Limit {
		agents = agents[:opts.Limit]
	}
	if opts.Limit > 0 && total > len(agents) && f.IOStreams.IsStdoutTTY() && !cmdutil.IsStructured(o) {
		// A person reading a short table should know it is not all of them.
		defer f.Notef("showing %d of %d agents (--limit 0 shows all)", len(agents), total)
	}
	if len(agents) == 0 && !cmdutil.IsStructured(o) {
		f.Notef("No agents found.")
		return nil
	}
	return output.PrintList(f.IOStreams.Out, o, agents, agentColumns(roles, depts))
}

// sortByName sorts agents by name as people of the user's language expect
// (LC_ALL, LC_COLLATE or LANG; Unicode's default order otherwise): names in
// the scripts of that language first (nameorder.go), then the others;
// within each, Łukasz next to Lukas, accents and case second; then by
// email for equal names.
func sortByName(agents []liveagent.Agent, getenv func(string) string) {
	lang := userLanguage(getenv)
	c := collate.New(lang)
	local := scriptsOf(lang)
	var buf collate.Buffer
	keys := make(map[string][]byte, len(agents))
	for _, a := range agents {
		if _, ok := keys[a.Name]; !ok {
			key := append([]byte{nameGroup(a.Name, local)}, c.KeyFromString(&buf, a.Name)...)
			keys[a.Name] = key
			buf.Reset()
		}
	}
	slices.SortStableFunc(agents, func(a, b liveagent.Agent) int {
		if d := bytes.Compare(keys[a.Name], keys[b.Name]); d != 0 {
			return d
		}
		return strings.Compare(strings.ToLower(a.Email), strings.ToLower(b.Email))
	})
}

// userLanguage is the language of the user's locale, e.g. "pl" for
// LANG=pl_PL.UTF-8; und (Unicode's default order) when none is set.
func userLanguage(getenv func(string) string) language.Tag {
	for _, v := range []string{"LC_ALL", "LC_COLLATE", "LANG"} {
		loc := getenv(v)
		if loc == "" {
			continue
		}
		loc, modifier, _ := strings.Cut(loc, "@") // sr_RS.UTF-8@latin
		loc, _, _ = strings.Cut(loc, ".")         // pl_PL.UTF-8
		if loc == "C" || loc == "POSIX" {
			return language.Und
		}
		if tag, err := language.Parse(strings.ReplaceAll(loc, "_", "-")); err == nil {
			// glibc's modifiers for a language's other script (sr@latin)
			if script, ok := map[string]string{"latin": "Latn", "cyrillic": "Cyrl"}[modifier]; ok {
				if t, err := language.Compose(tag, language.MustParseScript(script)); err == nil {
					return t
				}
			}
			return tag
		}
		return language.Und
	}
	return language.Und
}

// filterAgents applies what the server cannot: the exact glob and department membership.
func filterAgents(agents []liveagent.Agent, glob, deptID string, depts *liveagent.DepartmentIndex) []liveagent.Agent {
	var members map[string]bool
	if deptID != "" {
		members = map[string]bool{}
		d, _ := depts.Lookup(deptID)
		for _, id := range d.AgentIDs {
			members[id] = true
		}
	}
	out := agents[:0]
	for _, a := range agents {
		if glob != "" {
			if ok, _ := path.Match(strings.ToLower(glob), strings.ToLower(a.Email)); !ok {
				continue
			}
		}
		if members != nil && !members[a.ID] {
			continue
		}
		out = append(out, a)
	}
	return out
}

// globToLike turns a glob that uses only * into a `like` pattern. Globs with
// other wildcards (?, [...]) or with % or _ in them are left to the client.
func globToLike(glob string) (string, bool) {
	if glob == "" || strings.ContainsAny(glob, "?[]\\%_") {
		return "", false
	}
	return strings.ReplaceAll(glob, "*", "%"), true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// readAll runs the reads of one command at once and returns the first
// error in their order.
func readAll(reads ...func() error) error {
	errs := make([]error, len(reads))
	var wg sync.WaitGroup
	for i, read := range reads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = read()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
