package role_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/viper"

	"github.com/ladmin/ladmin/internal/cli/cmdutil"
	"github.com/ladmin/ladmin/internal/cli/role"
	"github.com/ladmin/ladmin/internal/iostreams"
	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
	"github.com/ladmin/ladmin/internal/sandbox"
	"github.com/ladmin/ladmin/internal/sandbox/sandboxtest"
)

// accessAccount is a sandbox with two custom roles and holders of each, so
// that who-can and the matrix have built-in and custom grants to find.
func accessAccount(t *testing.T) (url string, c *liveagent.Client) {
	t.Helper()
	url, _ = sandboxtest.Start(t, sandbox.Options{})
	c, err := liveagent.New(liveagent.Config{URL: url, APIKey: sandbox.OwnerKey})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	lead, err := c.CreateRole(ctx, liveagent.RoleCreate{Name: "support-lead", Base: rbac.Agent,
		Permissions: rbac.MustBuiltin(rbac.Agent).Permissions.With(rbac.AgentsRoles, rbac.ReportsAll).Names()})
	if err != nil {
		t.Fatal(err)
	}
	billing, err := c.CreateRole(ctx, liveagent.RoleCreate{Name: "billing-admin", Base: rbac.Owner,
		Permissions: rbac.MustBuiltin(rbac.Owner).Permissions.Without(rbac.AgentsRoles).Names()})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range []liveagent.Role{*lead, *lead, *billing} {
		base, id := liveagent.Assign(r)
		if _, err := c.CreateAgent(ctx, liveagent.AgentCreate{Name: "Holder", Email: []string{"l1@acme.com", "l2@acme.com", "b@acme.com"}[i],
			Role: base, RoleID: id}); err != nil {
			t.Fatal(err)
		}
	}
	// A deleted holder holds nothing.
	gone, err := c.CreateAgent(ctx, liveagent.AgentCreate{Name: "Gone", Email: "gone@acme.com", Role: base(lead), RoleID: lead.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteAgent(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	return url, c
}

func base(r *liveagent.Role) string { b, _ := liveagent.Assign(*r); return b }

// expectedHolders is who holds perm, worked out from the raw roles and
// agents with the rules package alone.
func expectedHolders(t *testing.T, c *liveagent.Client, perm string) []string {
	t.Helper()
	ctx := context.Background()
	roles, err := c.ListRoles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sets := map[string]rbac.Set{}
	for _, r := range roles {
		sets[r.ID] = rbac.MustSet(r.Permissions...)
	}
	agents, err := c.ListAgents(ctx, liveagent.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var emails []string
	for _, a := range agents {
		id := a.Role
		if a.RoleID != "" {
			id = a.RoleID
		}
		if a.Status == liveagent.StatusActive && sets[id].Has(perm) {
			emails = append(emails, a.Email)
		}
	}
	sort.Strings(emails)
	return emails
}

func run(t *testing.T, url string, args ...string) (stdout, stderr string, code error) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	v := viper.New()
	v.Set("url", url)
	v.Set("output", "json")
	f := &cmdutil.Factory{IOStreams: ios, Viper: v, ConfigPath: t.TempDir() + "/config.yaml",
		Getenv: func(k string) string {
			if k == "LADMIN_API_KEY" {
				return sandbox.OwnerKey
			}
			return ""
		}}
	cmd := role.NewCmdWhoCan(f)
	switch args[0] {
	case "matrix":
		cmd = role.NewCmdRole(f)
	case "can-i":
		cmd = role.NewCmdCanI(f)
		args = args[1:]
	}
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func TestWhoCanMatchesRules(t *testing.T) {
	url, c := accessAccount(t)
	for _, perm := range rbac.PermissionNames() {
		stdout, _, err := run(t, url, perm)
		if err != nil {
			t.Fatalf("who-can %s: %v", perm, err)
		}
		var got []role.Holder
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatalf("who-can %s: %v in %q", perm, err, stdout)
		}
		var emails []string
		for _, h := range got {
			emails = append(emails, h.Email)
			if (h.RoleType == "custom") != (h.RoleID != "") {
				t.Errorf("who-can %s: %s has role_type %q and role_id %q", perm, h.Email, h.RoleType, h.RoleID)
			}
		}
		sort.Strings(emails)
		if want := expectedHolders(t, c, perm); !slices.Equal(emails, want) {
			t.Errorf("who-can %s = %v, rules say %v", perm, emails, want)
		}
	}
	// The custom role is named as the grant.
	stdout, _, _ := run(t, url, rbac.AgentsRoles)
	var got []role.Holder
	_ = json.Unmarshal([]byte(stdout), &got)
	roleOf := map[string]string{}
	for _, h := range got {
		roleOf[h.Email] = h.Role
	}
	if roleOf["l1@acme.com"] != "support-lead" || roleOf["b@acme.com"] != "" || roleOf["gone@acme.com"] != "" {
		t.Errorf("who-can agents.roles roles = %v", roleOf)
	}
}

func TestWhoCanUnknownPermission(t *testing.T) {
	url, _ := accessAccount(t)
	_, _, err := run(t, url, "agents.role")
	var u *cmdutil.UsageError
	if err == nil || !asUsage(err, &u) || !containsAll(err.Error(), `unknown permission "agents.role"`, `did you mean "agents.roles"`) {
		t.Fatalf("who-can agents.role: %v, want a usage error with a suggestion", err)
	}
}

func TestMatrixMatchesRules(t *testing.T) {
	url, c := accessAccount(t)
	stdout, _, err := run(t, url, "matrix")
	if err != nil {
		t.Fatal(err)
	}
	var m []role.MatrixRole
	if err := json.Unmarshal([]byte(stdout), &m); err != nil {
		t.Fatalf("%v in %q", err, stdout)
	}
	byName := map[string]role.MatrixRole{}
	for _, r := range m {
		byName[r.Name] = r
	}
	holders := map[string]int{"owner": 1, "admin": 1, "agent": 1, "support-lead": 2, "billing-admin": 1}
	for name, n := range holders {
		if byName[name].Holders != n {
			t.Errorf("role %s: %d holders, want %d", name, byName[name].Holders, n)
		}
	}
	for _, perm := range rbac.PermissionNames() {
		// A role column has the mark exactly when rbac says the role holds it.
		roles, _ := c.ListRoles(context.Background())
		for _, r := range roles {
			want := rbac.MustSet(r.Permissions...).Has(perm)
			if got := slices.Contains(byName[r.Name].Permissions, perm); got != want {
				t.Errorf("matrix %s x %s = %v, want %v", r.Name, perm, got, want)
			}
		}
	}
}

func TestCanIList(t *testing.T) {
	url, _ := accessAccount(t)
	stdout, _, err := run(t, url, "can-i", "--list", "--as", "l2@acme.com")
	if err != nil {
		t.Fatal(err)
	}
	var rows []role.CanI
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
		t.Fatalf("%v in %q", err, stdout)
	}
	if len(rows) != len(rbac.Catalog()) {
		t.Fatalf("%d rows, want one per permission (%d)", len(rows), len(rbac.Catalog()))
	}
	want := rbac.MustBuiltin(rbac.Agent).Permissions.With(rbac.AgentsRoles, rbac.ReportsAll)
	for _, r := range rows {
		if r.Allowed != want.Has(r.Permission) || r.Role != "support-lead" || r.Agent != "l2@acme.com" {
			t.Errorf("can-i --list row %+v", r)
		}
	}
}

func asUsage(err error, u **cmdutil.UsageError) bool { return errors.As(err, u) }

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
