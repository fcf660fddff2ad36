package cmdutil

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// CompleteRoles completes role names from the account in use. Completion
// must never hang a shell, so the lookup gets a short deadline and any
// failure simply completes nothing.
func CompleteRoles(f *Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		c, err := f.Client()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		roles, err := c.Roles(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return roles.Names(), cobra.ShellCompDirectiveNoFileComp
	}
}

// CompleteProfiles completes the profile names saved in the config file.
func CompleteProfiles(f *Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		cfg, err := f.Config()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return cfg.ProfileNames(), cobra.ShellCompDirectiveNoFileComp
	}
}

// RoleArg completes the first positional argument with role names.
func RoleArg(f *Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	roles := CompleteRoles(f)
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return roles(cmd, args, toComplete)
	}
}

// completeTimeout bounds every lookup a completion makes: a shell must
// never hang on a slow or unreachable account.
const completeTimeout = 2 * time.Second

// Which agents an agent completion offers.
const (
	ActiveAgents  = liveagent.StatusActive
	DeletedAgents = liveagent.StatusDeleted
)

// CompleteAgents completes a flag naming an agent (can-i --as) by email
// and by id, each described by the name; status is ActiveAgents or
// DeletedAgents. Any failure completes nothing.
func CompleteAgents(f *Factory, status string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return agentCandidates(f, status, nil, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// AgentArgs completes the positional arguments naming agents: with many
// (delete, set-role, restore) every one of them, skipping the agents
// already named; otherwise only the first (get, update). One line to
// attach:
//
//	ValidArgsFunction: cmdutil.AgentArgs(f, cmdutil.ActiveAgents, true),
func AgentArgs(f *Factory, status string, many bool) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if !many && len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return agentCandidates(f, status, args, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// agentCandidates lists "email<TAB>name" and "id<TAB>email" of the
// account's agents with the status that start with toComplete (ids only
// once something is typed, so an empty word offers emails), leaving out
// those in skip. It gives up, offering nothing, after completeTimeout.
func agentCandidates(f *Factory, status string, skip []string, toComplete string) []string {
	c, err := f.Client()
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), completeTimeout)
	defer cancel()
	agents, err := c.ListAgents(ctx, liveagent.ListOptions{
		Filters: []liveagent.Filter{{Field: "status", Op: "=", Value: status}}})
	if err != nil {
		return nil
	}
	named := map[string]bool{}
	for _, a := range skip {
		named[strings.ToLower(a)] = true
	}
	prefix := strings.ToLower(toComplete)
	var out []string
	for _, a := range agents {
		if named[strings.ToLower(a.Email)] || named[strings.ToLower(a.ID)] {
			continue
		}
		if strings.HasPrefix(strings.ToLower(a.Email), prefix) {
			out = append(out, a.Email+"\t"+completionText(a.Name))
		}
		if prefix != "" && strings.HasPrefix(strings.ToLower(a.ID), prefix) {
			out = append(out, a.ID+"\t"+completionText(a.Email))
		}
	}
	return out
}

// completionText keeps a description on one line for the shell.
func completionText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// CompleteDepartments completes department names of the account.
func CompleteDepartments(f *Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		c, err := f.Client()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx, cancel := context.WithTimeout(context.Background(), completeTimeout)
		defer cancel()
		depts, err := c.Departments(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []string
		for _, d := range depts.List() {
			names = append(names, d.Name)
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// CompleteWords completes a flag from a fixed list of values.
func CompleteWords(words ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return cobra.FixedCompletions(words, cobra.ShellCompDirectiveNoFileComp)
}
