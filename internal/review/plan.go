package review

import (
	"sort"

	"github.com/ladmin/ladmin/internal/bulk"
)

// Plan turns the decisions into one bulk plan against one read of the
// account, so that a review is applied, reported and journalled like any
// import or offboarding: keep is a skip, role:NAME an update of the role
// (a skip when the agent holds it already), offboard the steps of `agent
// offboard` (sign out, revoke keys, delete). The rules of spec/rbac.md are
// checked for every step; denied lists each refusal (exit 4), and a plan
// with any must not be applied.
func Plan(f *bulk.File, decisions []Decision, acct *bulk.Account, keys []bulk.Key, opts bulk.OffboardOptions) (plan *bulk.Plan, problems, denied bulk.Problems) {
	roleFile := &bulk.File{Name: f.Name, Format: f.Format, Columns: f.Columns}
	offFile := &bulk.File{Name: f.Name, Format: f.Format, Columns: f.Columns}
	plan = &bulk.Plan{File: f}
	for _, d := range decisions {
		rec := bulk.Record{Line: d.Line, Email: d.Email, ID: d.ID, Raw: rawOf(f, d.Line)}
		switch d.Kind {
		case Keep:
			plan.Steps = append(plan.Steps, bulk.Step{Record: recordPtr(rec), Action: bulk.ActionSkip,
				Details: "keep: " + d.Role, Target: acct.Find(&rec)})
		case SetRole:
			// Only the role: a review never rewrites a name or departments.
			rec.Role = d.NewRole
			roleFile.Records = append(roleFile.Records, rec)
		case Offboard:
			offFile.Records = append(offFile.Records, rec)
		}
	}
	if len(roleFile.Records) > 0 {
		rp, ps := bulk.MakePlan(roleFile, acct, bulk.PlanOptions{OnExisting: bulk.OnExistingUpdate})
		problems = append(problems, ps...)
		denied = append(denied, bulk.AuthorizeSteps(rp, acct)...)
		plan.Steps = append(plan.Steps, rp.Steps...)
	}
	if len(offFile.Records) > 0 {
		op := bulk.MakeOffboardPlan(offFile, acct, keys, opts)
		denied = append(denied, bulk.AuthorizeOffboard(op, acct, opts)...)
		plan.Steps = append(plan.Steps, op.Steps...)
	}
	sort.SliceStable(plan.Steps, func(i, j int) bool { return plan.Steps[i].Record.Line < plan.Steps[j].Record.Line })
	return plan, problems.Sorted(), denied.Sorted()
}

func recordPtr(r bulk.Record) *bulk.Record { return &r }

// rawOf returns the cells of the file's row at line, for reports.
func rawOf(f *bulk.File, line int) []string {
	for _, r := range f.Records {
		if r.Line == line {
			return r.Raw
		}
	}
	return nil
}
