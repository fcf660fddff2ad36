package agent

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/output"
	"github.com/ladmin/ladmin/internal/rbac"
)

// CreateOptions are the inputs of `agent create`.
type CreateOptions struct {
	F           *cmdutil.Factory
	Name        string
	Email       string
	Role        string
	Gender      string
	Departments []string
	DryRun      bool
}

// NewCmdCreate is `ladmin agent create`.
func NewCmdCreate(f *cmdutil.Factory, runF func(context.Context, *CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{F: f}
	cmd := &cobra.Command{
		Use:   "create --name NAME --email EMAIL [--role ROLE]",
		Short: "Invite a new agent",
		Long: `Invite a new agent. The agent receives an invitation email with login details.

Only owners and admins can invite, and only a role whose every permission you hold
can be given: an admin cannot create an owner. --dry-run performs every check,
including the server-side lookups, and changes nothing.`,
		Example: `  ladmin agent create --name "Ana Pérez" --email ana@acme.com
  ladmin agent create --name "Li Wei" --email li@acme.com --role admin --department support
  ladmin agent create --name "Maria" --email maria@acme.com --role support-lead --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(opts.Name) == "" {
				return cmdutil.Usagef("--name is required and cannot be empty")
			}
			if err := validateName(opts.Name); err != nil {
				return err
			}
			if opts.Email == "" {
				return cmdutil.Usagef("--email is required")
			}
			if err := validateEmail(opts.Email); err != nil {
				return err
			}
			if opts.Gender != "" {
				g, err := normalizeGender(opts.Gender)
				if err != nil {
					return err
				}
				opts.Gender = g
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "full name (required)")
	cmd.Flags().StringVar(&opts.Email, "email", "", "email address, unique among active agents (required)")
	cmd.Flags().StringVar(&opts.Role, "role", rbac.Agent, "owner, admin, agent, or a custom role")
	cmd.Flags().StringVar(&opts.Gender, "gender", "", "M, F or X (unspecified)")
	cmd.Flags().StringArrayVar(&opts.Departments, "department", nil, "department name or id (repeatable)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "check everything and show what would happen, changing nothing")
	_ = cmd.RegisterFlagCompletionFunc("role", cmdutil.CompleteRoles(f))
	_ = cmd.RegisterFlagCompletionFunc("department", cmdutil.CompleteDepartments(f))
	_ = cmd.RegisterFlagCompletionFunc("gender", cmdutil.CompleteWords("M", "F", "X"))
	return cmd
}

func createRun(ctx context.Context, opts *CreateOptions) error {
	f := opts.F
	o, c, err := f.Connect()
	if err != nil {
		return err
	}
	// Refused before anything is sent on an account without the extensions.
	if err := c.RequireExtensions(ctx, liveagent.CapCreateAgents); err != nil {
		return err
	}
	// The caller and roles come from the account cache when a command
	// learned them in the last minute, and alongside the departments
	// otherwise. A refusal is never based on the cache: it is decided again
	// on a fresh read, and whatever passes is still the server's to decide.
	var (
		sess   *liveagent.Session
		cached bool
		depts  *liveagent.DepartmentIndex
	)
	reads := []func() error{func() (err error) { sess, cached, err = c.RecentSession(ctx); return err }}
	if len(opts.Departments) > 0 {
		reads = append(reads, func() (err error) { depts, err = c.Departments(ctx); return err })
	}
	if err := readAll(reads...); err != nil {
		return err
	}
	in, role, err := createRequest(opts, sess, depts)
	if err != nil && cached {
		if sess, err = c.Session(ctx); err != nil {
			return err
		}
		in, role, err = createRequest(opts, sess, depts)
	}
	if err != nil {
		return err
	}

	if opts.DryRun {
		if err := checkEmailFree(ctx, c, opts.Email); err != nil {
			return err
		}
		would := liveagent.Agent{Name: in.Name, Email: in.Email, Role: in.Role, RoleID: in.RoleID,
			Gender: in.Gender, Status: liveagent.StatusActive}
		if would.Gender == "" {
			would.Gender = "X"
		}
		if cmdutil.IsStructured(o) {
			f.Notef("dry run: nothing was changed")
		}
		return printOne(f, o, sess.Roles, would, fmt.Sprintf("would create agent %s with role %s (dry run: nothing was changed)",
			in.Email, role.Name))
	}

	a, err := c.CreateAgentOnce(ctx, in)
	if err != nil {
		return err
	}
	return cmdutil.WriteAfterChange(printOne(f, o, sess.Roles, *a, fmt.Sprintf("created agent %s with role %s; an invitation was sent",
		label(*a), sess.Roles.RoleName(*a))), fmt.Sprintf("agent %s was created (id %s)", a.Email, a.ID))
}

// checkEmailFree is the server-side conflict check a dry run makes.
func checkEmailFree(ctx context.Context, c *liveagent.Client, email string) error {
	found, err := c.FindAgentsByEmail(ctx, email, true)
	if err != nil {
		return err
	}
	for _, a := range found {
		if a.Active() {
			return liveagent.NewError(liveagent.KindConflict, "an agent with email %s already exists (id %s)", a.Email, a.ID)
		}
	}
	if len(found) > 0 {
		return liveagent.NewError(liveagent.KindConflict,
			"agent %s was deleted; restore it with `ladmin agent restore %s` instead", email, email)
	}
	return nil
}

// printOne reports a mutation of one agent: a line for people, the object for programs.
func printOne(f *cmdutil.Factory, o output.Options, roles *liveagent.RoleIndex, a liveagent.Agent, line string) error {
	if cmdutil.IsStructured(o) {
		return output.PrintObject(f.IOStreams.Out, o, a, agentColumns(roles, nil))
	}
	err := cmdutil.PrintLine(f.IOStreams, line)
	return err
}

// createRequest resolves the role and departments of a create and checks
// the rules for the caller of sess.
func createRequest(opts *CreateOptions, sess *liveagent.Session, depts *liveagent.DepartmentIndex) (liveagent.AgentCreate, liveagent.Role, error) {
	role, err := cmdutil.ResolveRole(sess.Roles, opts.Role)
	if err != nil {
		return liveagent.AgentCreate{}, role, err
	}
	in := liveagent.AgentCreate{Name: strings.TrimSpace(opts.Name), Email: opts.Email, Gender: opts.Gender}
	in.Role, in.RoleID = liveagent.Assign(role)
	if len(opts.Departments) > 0 {
		if in.Departments, err = cmdutil.ResolveDepartments(depts, opts.Departments); err != nil {
			return in, role, err
		}
	}
	given := role.RBAC()
	if d := rbac.Decide(rbac.Request{Actor: sess.Actor(), Action: rbac.CreateAgent, Role: &given,
		Departments: len(in.Departments) > 0}); !d.Allowed {
		return in, role, forbidden(d)
	}
	return in, role, nil
}
