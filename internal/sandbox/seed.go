package sandbox

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// The well-known seed account of a new sandbox database. The keys are public
// on purpose: the sandbox is a local playground, and docs and tests use them.
const (
	OwnerKey = "sandbox-owner-key"
	AdminKey = "sandbox-admin-key"
	AgentKey = "sandbox-agent-key"

	OwnerEmail = "owner@example.com"
	AdminEmail = "admin@example.com"
	AgentEmail = "agent@example.com"

	OwnerName = "Olivia Owner"
	AdminName = "Adam Admin"
	AgentName = "Aggie Agent"
)

// Seeded department ids. They are fixed (so docs and tests can name them)
// but deliberately not the department names, so that a client which sends a
// name where an id belongs fails loudly in the sandbox as it would for real.
const (
	DeptSupportID = "d5e1a7c2"
	DeptSalesID   = "d9b04f6e"
	DeptBillingID = "d2c8e39a"
)

// Seeded department names.
const (
	DeptSupport = "support"
	DeptSales   = "sales"
	DeptBilling = "billing"
)

var seedDepartments = []struct{ id, name string }{
	{DeptSupportID, DeptSupport},
	{DeptSalesID, DeptSales},
	{DeptBillingID, DeptBilling},
}

// SeedAgentEmail is the email of the i-th generated agent (1-based) of
// Options.SeedAgents, e.g. agent00001@example.com.
func SeedAgentEmail(i int) string { return fmt.Sprintf("agent%05d@example.com", i) }

// seedPlan is what a new database is filled with.
type seedPlan struct {
	extraAgents int
}

func (p seedPlan) run(ctx context.Context, tx *sql.Tx) error {
	for i, d := range seedDepartments {
		if _, err := tx.ExecContext(ctx, "INSERT INTO departments (seq, id, name) VALUES (?, ?, ?)",
			i+1, d.id, d.name); err != nil {
			return err
		}
	}

	insAgent, err := tx.PrepareContext(ctx, `INSERT INTO agents
		(id, name, email, email_lower, role, gender, last_pswd_change) VALUES (?, ?, ?, lower(?), ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insAgent.Close()
	insDept, err := tx.PrepareContext(ctx, "INSERT INTO agent_departments (agent_id, department_id) VALUES (?, ?)")
	if err != nil {
		return err
	}
	defer insDept.Close()

	now := nowString()
	used := map[string]bool{}
	// The database is new and the whole seed is one transaction, so ids only
	// have to be unique among themselves: no query per id.
	newAgentID := func() string {
		for {
			id := randomHex(8)
			if !used[id] {
				used[id] = true
				return id
			}
		}
	}

	account := []struct {
		name, email, role, key, password, dept string
	}{
		{OwnerName, OwnerEmail, rbac.Owner, OwnerKey, OwnerPassword, ""},
		{AdminName, AdminEmail, rbac.Admin, AdminKey, AdminPassword, ""},
		{AgentName, AgentEmail, rbac.Agent, AgentKey, AgentPassword, DeptSupportID},
	}
	for _, a := range account {
		id := newAgentID()
		if _, err := insAgent.ExecContext(ctx, id, a.name, a.email, a.email, a.role, "X", now); err != nil {
			return err
		}
		// The seeded keys never expire and work from anywhere.
		if _, err := insertKey(ctx, tx, keySpec{agentID: id, secret: a.key, name: "sandbox " + a.role + " key",
			role: a.role}); err != nil {
			return err
		}
		if err := setPassword(ctx, tx, id, a.password); err != nil {
			return err
		}
		if a.dept != "" {
			if _, err := insDept.ExecContext(ctx, id, a.dept); err != nil {
				return err
			}
		}
	}

	// Generated agents are deterministic (names, emails, genders, departments
	// follow the index) so load tests can address them without listing first.
	for i := 1; i <= p.extraAgents; i++ {
		id := newAgentID()
		email := SeedAgentEmail(i)
		gender := liveagent.Genders[i%len(liveagent.Genders)]
		if _, err := insAgent.ExecContext(ctx, id, fmt.Sprintf("Agent %05d", i), email, email, rbac.Agent, gender, now); err != nil {
			return err
		}
		if _, err := insDept.ExecContext(ctx, id, seedDepartments[i%len(seedDepartments)].id); err != nil {
			return err
		}
	}
	return nil
}
