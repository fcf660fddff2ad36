package agent

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// UpdateOptions are the inputs of `agent update`.
type UpdateOptions struct {
	F           *cmdutil.Factory
	Ref         string
	Name        *string
	Gender      *string
	Departments *[]string
	DryRun      bool
}

// NewCmdUpdate is `ladmin agent update`.
func NewCmdUpdate(f *cmdutil.Factory, runF func(context.Context, *UpdateOptions) error) *cobra.Command {
	opts := &UpdateOptions{F: f}
	var name, gender string
	var departments []string
	cmd := &cobra.Command{
		Use:   "update <id|email> [--name N] [--gender G] [--department D]...",
		Short: "Change an agent's name, gender or departments",
		Long: `Change the profile fields of an agent. --department replaces the agent's departments
with the ones given (repeat it for several; --department "" clears them).

Without the agents.manage permission you may update only yourself, and only your
profile fields. Use 'ladmin agent set-role' to change a role.`,
		Example: `  ladmin agent update ana@acme.com --name "Ana Pérez García"
  ladmin agent update li@acme.com --department support --department sales`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cmdutil.AgentArgs(f, cmdutil.ActiveAgents, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if cmd.Flags().Changed("name") {
				if strings.TrimSpace(name) == "" {
					return cmdutil.Usagef("--name cannot be empty")
				}
				n := strings.TrimSpace(name)
				if err := validateName(n); err != nil {
					return err
				}
				opts.Name = &n
			}
			if cmd.Flags().Changed("gender") {
				g, err := normalizeGender(gender)
				if err != nil {
					return err
				}
				opts.Gender = &g
			}
			if cmd.Flags().Changed("department") {
				var ds []string
				for _, d := range departments {
					if strings.TrimSpace(d) != "" {
						ds = append(ds, d)
					}
				}
				opts.Departments = &ds
			}
			if opts.Name == nil && opts.Gender == nil && opts.Departments == nil {
				return cmdutil.Usagef("nothing to update: pass --name, --gender or --department")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return updateRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "new full name")
	cmd.Flags().StringVar(&gender, "gender", "", "M, F or X (unspecified)")
	cmd.Flags().StringArrayVar(&departments, "department", nil, "department name or id (repeatable; replaces the current ones)")
	_ = cmd.RegisterFlagCompletionFunc("department", cmdutil.CompleteDepartments(f))
	_ = cmd.RegisterFlagCompletionFunc("gender", cmdutil.CompleteWords("M", "F", "X"))
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "check everything and show what would happen, changing nothing")
	return cmd
}

func updateRun(ctx context.Context, opts *UpdateOptions) error {
	f := opts.F
	m, err := startMutation(ctx, f)
	if err != nil {
		return err
	}
	if opts.Departments != nil {
		// The published Agent has no departments: never send them to an
		// account that would ignore them and claim success.
		if err := m.c.RequireExtensions(ctx, liveagent.CapDepartments); err != nil {
			return err
		}
	}
	a, err := m.c.ResolveAgent(ctx, opts.Ref, false)
	if err != nil {
		return err
	}
	up := liveagent.AgentUpdate{Name: opts.Name, Gender: opts.Gender}
	var fields []string
	var oldDepts []string // known only when the update changes them
	if opts.Name != nil {
		fields = append(fields, "name")
	}
	if opts.Gender != nil {
		fields = append(fields, "gender")
	}
	if opts.Departments != nil {
		depts, err := m.c.Departments(ctx)
		if err != nil {
			return err
		}
		ids, err := cmdutil.ResolveDepartments(depts, *opts.Departments)
		if err != nil {
			return err
		}
		up.Departments = &ids
		oldDepts = depts.IDsOf(a.ID)
		if oldDepts == nil {
			oldDepts = []string{}
		}
	}
	d, err := m.decide(ctx, rbac.Request{Action: rbac.UpdateAgent, Fields: fields, Departments: up.Departments != nil}, *a)
	if err != nil {
		return err
	}
	if !d.Allowed {
		return forbidden(d)
	}
	if opts.DryRun {
		var changes []string
		if up.Name != nil && *up.Name != a.Name {
			changes = append(changes, fmt.Sprintf("name %q → %q", a.Name, *up.Name))
			a.Name = *up.Name
		}
		if up.Gender != nil && *up.Gender != a.Gender {
			changes = append(changes, fmt.Sprintf("gender %s → %s", a.Gender, *up.Gender))
			a.Gender = *up.Gender
		}
		if opts.Departments != nil {
			changes = append(changes, "departments → "+strings.Join(*opts.Departments, ", "))
		}
		what := "no change"
		if len(changes) > 0 {
			what = strings.Join(changes, "; ")
		}
		if cmdutil.IsStructured(m.o) {
			f.Notef("dry run: nothing was changed")
		}
		return printOne(f, m.o, m.sess.Roles, *a, fmt.Sprintf("would update agent %s: %s (dry run: nothing was changed)", label(*a), what))
	}
	updated, err := m.c.UpdateAgent(journaled(ctx, "update", *a, oldDepts), a.ID, up)
	if err != nil {
		return err
	}
	return cmdutil.WriteAfterChange(printOne(f, m.o, m.sess.Roles, *updated, fmt.Sprintf("updated agent %s", label(*updated))),
		fmt.Sprintf("agent %s was updated", label(*updated)))
}
