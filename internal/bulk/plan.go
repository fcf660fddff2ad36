package bulk

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// Action is what the plan does with one row.
type Action string

// The plan's actions (spec/bulk.md).
const (
	ActionCreate  Action = "create"
	ActionUpdate  Action = "update"
	ActionRestore Action = "restore"
	ActionSkip    Action = "skip"
	ActionError   Action = "error"
)

// OnExisting says what to do with a row whose email the account already has.
type OnExisting string

// The values of --on-existing.
const (
	OnExistingSkip   OnExisting = "skip"   // leave the agent as it is (default)
	OnExistingUpdate OnExisting = "update" // change role, name, gender, departments; restore a deleted agent
	OnExistingFail   OnExisting = "fail"   // the row is an error, and nothing is applied
)

// ParseOnExisting accepts a --on-existing value.
func ParseOnExisting(s string) (OnExisting, error) {
	switch OnExisting(strings.ToLower(strings.TrimSpace(s))) {
	case "", OnExistingSkip:
		return OnExistingSkip, nil
	case OnExistingUpdate:
		return OnExistingUpdate, nil
	case OnExistingFail:
		return OnExistingFail, nil
	}
	return "", fmt.Errorf("invalid --on-existing %q: use skip, update or fail", s)
}

// PlanOptions shape a plan.
type PlanOptions struct {
	OnExisting OnExisting
}

// Step is the plan for one row. What only updates and offboards have is
// kept apart (stepMore), and a create's body is made when it is sent
// (CreateBody): a plan of 200,000 creates is then some 112 bytes a row.
type Step struct {
	Record *Record
	Action Action
	// Details says why, and what changes, for people: `role agent -> admin`.
	Details string
	// Target is the agent the row's email already names (update, restore,
	// skip, error); nil for a create.
	Target *liveagent.Agent
	// Create is the body of a create read from a saved plan; a create that
	// MakePlan planned makes it from the row (use CreateBody).
	Create *liveagent.AgentCreate
	// Update is the body of an update, or what a restore changes afterwards
	// (nil when the restored agent is already as wanted).
	Update *liveagent.AgentUpdate
	// Before is the target as the plan read it (nil for a create): what the
	// journal records, a saved plan checks, and undo goes back to.
	Before *liveagent.AgentState
	// Op names the step in the journal when it is not the action's name
	// (set-role, and the steps of undo).
	Op string

	role  *liveagent.Role // the role the row asks for; nil when it names none
	depts *[]string       // a planned create's department ids (shared by rows)
	more  *stepMore
}

// stepMore is what only some steps have.
type stepMore struct {
	changes   []string  // what Update changes, for people: `role agent -> admin`
	ops       []Op      // the operations of an offboard step, applied in order
	kept      []KeptKey // keys of the agent an offboard step leaves alone, and why
	notes     []string  // warnings about the step for people (shown with the plan)
	fields    []string  // profile fields an update changes, for rbac
	roleMoved bool      // the update changes the role
}

func (s *Step) extra() *stepMore {
	if s.more == nil {
		s.more = &stepMore{}
	}
	return s.more
}

// Changes lists what Update changes, for people: `role agent -> admin`.
func (s *Step) Changes() []string {
	if s.more == nil {
		return nil
	}
	return s.more.changes
}

// Ops are the operations of an offboard step, applied in order.
func (s *Step) Ops() []Op {
	if s.more == nil {
		return nil
	}
	return s.more.ops
}

// Kept are keys of the agent that an offboard step leaves alone, and why.
func (s *Step) Kept() []KeptKey {
	if s.more == nil {
		return nil
	}
	return s.more.kept
}

// Notes are warnings about the step for people (shown with the plan).
func (s *Step) Notes() []string {
	if s.more == nil {
		return nil
	}
	return s.more.notes
}

// SetOps sets the operations of an offboard step.
func (s *Step) SetOps(ops []Op) { s.extra().ops = ops }

func (s *Step) fields() []string {
	if s.more == nil {
		return nil
	}
	return s.more.fields
}

func (s *Step) roleMoved() bool { return s.more != nil && s.more.roleMoved }

// CreateBody is the body of a create step: the saved one, or the one the
// row asks for.
func (s *Step) CreateBody() *liveagent.AgentCreate {
	if s.Create != nil || s.Action != ActionCreate || s.Record == nil || s.role == nil {
		return s.Create
	}
	r := s.Record
	in := &liveagent.AgentCreate{Name: r.Name, Email: r.Email, Gender: r.Gender, Departments: s.createDepartments()}
	in.Role, in.RoleID = liveagent.Assign(*s.role)
	return in
}

// createDepartments is the department ids a create puts the agent in,
// without making its body (Authorize asks it of every row).
func (s *Step) createDepartments() []string {
	switch {
	case s.Create != nil:
		return s.Create.Departments
	case s.depts != nil:
		return *s.depts
	}
	return nil
}

// Requests is how many write requests the step sends when nothing fails.
func (s *Step) Requests() int {
	switch s.Action {
	case ActionCreate, ActionUpdate:
		return 1
	case ActionRestore:
		if s.Update != nil {
			return 2
		}
		return 1
	case ActionOffboard:
		return len(s.Ops())
	}
	return 0
}

// BeforeState is the target as the plan read it: Before, else what Target
// says (a plan made without the departments), nil for a create.
func (s *Step) BeforeState() *liveagent.AgentState {
	if s.Before == nil && s.Target != nil {
		return liveagent.StateOf(*s.Target, nil)
	}
	return s.Before
}

// AgentID is the id of the agent the step acts on, when already known.
func (s *Step) AgentID() string {
	if s.Target != nil {
		return s.Target.ID
	}
	return ""
}

// Plan is what an import will do, row by row, in input order.
type Plan struct {
	File  *File
	Steps []Step
}

// Counts is how many rows take each action.
type Counts struct {
	Create, Update, Restore, Skip, Error, Offboard int
}

// Counts tallies the plan.
func (p *Plan) Counts() Counts {
	var c Counts
	for _, s := range p.Steps {
		switch s.Action {
		case ActionCreate:
			c.Create++
		case ActionUpdate:
			c.Update++
		case ActionRestore:
			c.Restore++
		case ActionSkip:
			c.Skip++
		case ActionError:
			c.Error++
		case ActionOffboard:
			c.Offboard++
		}
	}
	return c
}

// Requests is how many write requests applying the plan sends when nothing fails.
func (p *Plan) Requests() int {
	n := 0
	for i := range p.Steps {
		n += p.Steps[i].Requests()
	}
	return n
}

// Errors lists the rows planned as errors (--on-existing fail), as problems.
func (p *Plan) Errors() Problems {
	var out Problems
	for _, s := range p.Steps {
		if s.Action == ActionError {
			out = append(out, Problem{File: p.File.Name, Line: s.Record.Line, Column: ColEmail, Message: s.Details})
		}
	}
	return out
}

// MakePlan validates every row against the account and decides what to do
// with it. Any problem means the file is invalid: the plan is then
// incomplete and must not be applied. The rights of the caller are checked
// separately (Authorize), so that an invalid file is reported as such first.
func MakePlan(f *File, acct *Account, opts PlanOptions) (*Plan, Problems) {
	if opts.OnExisting == "" {
		opts.OnExisting = OnExistingSkip
	}
	p := &problemList{file: f.Name}
	ok := validateLocal(f, p)
	plan := &Plan{File: f, Steps: make([]Step, 0, len(f.Records))}
	shared := newRowLookups(acct)
	for i := range f.Records {
		r := &f.Records[i]
		if !ok[i] {
			// Still check what the account can tell, to list every problem at once.
			checkAgainstAccount(r, acct, p)
			continue
		}
		step, good := planRow(r, acct, opts, p, shared)
		if good {
			plan.Steps = append(plan.Steps, step)
		}
	}
	return plan, p.list.Sorted()
}

func checkAgainstAccount(r *Record, acct *Account, p *problemList) {
	if r.broken {
		return
	}
	if r.Role != "" && !r.reported[ColRole] {
		if _, err := resolveRole(acct, r.Role); err != nil {
			p.add(r.Line, ColRole, "%s", err.Error())
		}
	}
	if !r.reported[ColDepartments] {
		_, errs := resolveDepartments(acct, r.Departments)
		for _, err := range errs {
			p.add(r.Line, ColDepartments, "%s", err.Error())
		}
	}
}

// rowLookups are what many rows of a roster share, resolved once and then
// pointed to by every step that names them: a role, a set of department
// ids, the text of a create's details. At 200,000 rows a copy per row was
// some 30 MB of the dry run's peak. What they hold is never changed after.
type rowLookups struct {
	acct    *Account
	roles   map[string]*liveagent.Role
	depts   map[string]*[]string
	details map[string]string
}

func newRowLookups(acct *Account) *rowLookups {
	return &rowLookups{acct: acct, roles: map[string]*liveagent.Role{}, depts: map[string]*[]string{}, details: map[string]string{}}
}

// role resolves a role name once per distinct name.
func (l *rowLookups) role(name string) (*liveagent.Role, error) {
	if r, ok := l.roles[name]; ok {
		return r, nil
	}
	r, err := resolveRole(l.acct, name)
	if err != nil {
		return nil, err
	}
	l.roles[name] = &r
	return &r, nil
}

// departments resolves a row's department cells once per distinct list;
// lists with an unknown department are resolved each time (they are errors).
func (l *rowLookups) departments(refs []string) (*[]string, []error) {
	var b strings.Builder
	for _, ref := range refs { // length-prefixed: no two lists share a key
		b.WriteString(strconv.Itoa(len(ref)))
		b.WriteByte(':')
		b.WriteString(ref)
	}
	key := b.String()
	if ids, ok := l.depts[key]; ok {
		return ids, nil
	}
	ids, errs := resolveDepartments(l.acct, refs)
	if len(errs) > 0 {
		return nil, errs
	}
	l.depts[key] = &ids
	return &ids, nil
}

// defaultRole is the role of a created row that names none: the account's
// "agent" role, or the built-in one.
func (l *rowLookups) defaultRole() *liveagent.Role {
	const key = "\x00default"
	if r, ok := l.roles[key]; ok {
		return r
	}
	def := liveagent.RoleFromRBAC(rbac.MustBuiltin(rbac.Agent), 0)
	if known, ok := l.acct.Roles.Lookup(rbac.Agent); ok {
		def = known
	}
	l.roles[key] = &def
	return &def
}

// text returns s, or an equal string made before (one copy of each).
func (l *rowLookups) text(s string) string {
	if t, ok := l.details[s]; ok {
		return t
	}
	l.details[s] = s
	return s
}

func planRow(r *Record, acct *Account, opts PlanOptions, p *problemList, shared *rowLookups) (Step, bool) {
	step := Step{Record: r}
	good := true
	if r.Role != "" {
		role, err := shared.role(r.Role)
		if err != nil {
			p.add(r.Line, ColRole, "%s", err.Error())
			good = false
		} else {
			step.role = role
		}
	}
	deptRef, errs := shared.departments(r.Departments)
	var deptIDs []string
	if deptRef != nil {
		deptIDs = *deptRef
	}
	for _, err := range errs {
		p.add(r.Line, ColDepartments, "%s", err.Error())
		good = false
	}
	target := acct.Lookup(r.Email)
	if target == nil && r.Name == "" && r.Status != liveagent.StatusDeleted {
		p.add(r.Line, ColName, "missing name: it is required to create %s (the account has no agent with this email)", r.Email)
		good = false
	}
	if !good {
		return step, false
	}
	step.Target = target
	if target != nil {
		var depts []string
		if target.Active() {
			depts = append([]string{}, acct.DepartmentsOf(target.ID)...)
		}
		step.Before = liveagent.StateOf(*target, depts)
	}

	if r.Status == liveagent.StatusDeleted {
		step.Action = ActionSkip
		switch {
		case target == nil:
			step.Details = "deleted in the file (status X): not created"
		case target.Active():
			step.Details = fmt.Sprintf("deleted in the file (status X) but active in the account (id %s): import never deletes; use `ladmin agent delete`", target.ID)
		default:
			step.Details = fmt.Sprintf("deleted, as in the file (id %s)", target.ID)
		}
		return step, true
	}

	if target == nil {
		role := step.role
		if role == nil {
			role = shared.defaultRole()
			step.role = role
		}
		// The body is made when it is sent (CreateBody).
		step.Action, step.depts = ActionCreate, deptRef
		details := []string{"role " + role.Name}
		if len(deptIDs) > 0 {
			details = append(details, "departments "+strings.Join(acct.DepartmentNames(deptIDs), ";"))
		}
		step.Details = shared.text(strings.Join(details, ", "))
		return step, true
	}

	changes, up := diff(r, target, step.role, deptIDs, acct, &step)
	deleted := !target.Active()
	switch opts.OnExisting {
	case OnExistingFail:
		step.Action = ActionError
		if deleted {
			step.Details = fmt.Sprintf("a deleted agent with this email exists (id %s) and --on-existing is fail", target.ID)
		} else {
			step.Details = fmt.Sprintf("an agent with this email exists (id %s) and --on-existing is fail", target.ID)
		}
	case OnExistingSkip:
		step.Action = ActionSkip
		switch {
		case deleted:
			step.Details = fmt.Sprintf("deleted agent exists (id %s); --on-existing update would restore it", target.ID)
		case len(changes) > 0:
			step.Details = fmt.Sprintf("exists (id %s), differs: %s; --on-existing update would change it", target.ID, strings.Join(changes, ", "))
		default:
			step.Details = fmt.Sprintf("already as wanted (id %s)", target.ID)
		}
	case OnExistingUpdate:
		switch {
		case deleted:
			step.Action = ActionRestore
			step.Details = fmt.Sprintf("deleted agent (id %s)", target.ID)
			if up != nil {
				step.Update, step.extra().changes = up, changes
				step.Details += "; then " + strings.Join(changes, ", ")
			}
		case up != nil:
			step.Action, step.Update, step.extra().changes = ActionUpdate, up, changes
			step.Details = strings.Join(changes, ", ")
		default:
			step.Action = ActionSkip
			step.Details = fmt.Sprintf("already as wanted (id %s)", target.ID)
		}
	}
	return step, true
}

// diff compares what the row asks for with the agent as it is. Columns left
// empty ask for nothing: an import never blanks a field (nor demotes an
// admin to the default role) because a cell was empty.
func diff(r *Record, target *liveagent.Agent, role *liveagent.Role, deptIDs []string, acct *Account, step *Step) ([]string, *liveagent.AgentUpdate) {
	var changes []string
	up := &liveagent.AgentUpdate{}
	changed := false
	if role != nil {
		cur := acct.Roles.Of(*target)
		if cur.ID != role.ID {
			w, wid := liveagent.Assign(*role)
			up.Role, up.RoleID = &w, &wid
			changes = append(changes, fmt.Sprintf("role %s -> %s", cur.Name, role.Name))
			step.extra().roleMoved = true
			changed = true
		}
	}
	if r.Name != "" && r.Name != target.Name {
		name := r.Name
		up.Name = &name
		changes = append(changes, fmt.Sprintf("name %q -> %q", target.Name, r.Name))
		step.extra().fields = append(step.fields(), "name")
		changed = true
	}
	if r.Gender != "" && r.Gender != target.Gender {
		g := r.Gender
		up.Gender = &g
		changes = append(changes, fmt.Sprintf("gender %s -> %s", orDash(target.Gender), g))
		step.extra().fields = append(step.fields(), "gender")
		changed = true
	}
	if len(deptIDs) > 0 {
		wanted := acct.DepartmentNames(deptIDs)
		if !target.Active() {
			// Departments of deleted agents are not listed: set them after the restore.
			ids := slices.Clone(deptIDs)
			up.Departments = &ids
			changes = append(changes, "departments "+strings.Join(wanted, ";"))
			changed = true
		} else if cur := acct.DepartmentsOf(target.ID); !slices.Equal(cur, deptIDs) {
			ids := slices.Clone(deptIDs)
			up.Departments = &ids
			changes = append(changes, fmt.Sprintf("departments %s -> %s",
				orDash(strings.Join(acct.DepartmentNames(cur), ";")), strings.Join(wanted, ";")))
			changed = true
		}
	}
	if !changed {
		return nil, nil
	}
	return changes, up
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func sortStrings(s []string) { sort.Strings(s) }

// Authorize applies the rules of spec/rbac.md to every step for the calling
// key, before anything is sent: an agent key cannot import at all (rule 1),
// an admin cannot create or promote owners (rule 2), nor change the role of
// someone above it (rule 3), the last owner stays one (rule 4), and nobody
// changes their own role (rule 5). Every denial is one problem.
func Authorize(plan *Plan, acct *Account) Problems {
	p := &problemList{file: plan.File.Name}
	actor := acct.Actor()
	agentRole := rbac.MustBuiltin(rbac.Agent)
	if d := rbac.Decide(rbac.Request{Actor: actor, Action: rbac.CreateAgent, Role: &agentRole}); !d.Allowed && d.Rule == 1 {
		p.add(0, "", "%s; an import needs the agents.invite permission", d.Reason)
		return p.list
	}
	return AuthorizeSteps(plan, acct)
}

// AuthorizeSteps is Authorize without the import-wide check: each step's
// own rules, for plans that only change existing agents (review decisions).
func AuthorizeSteps(plan *Plan, acct *Account) Problems {
	p := &problemList{file: plan.File.Name}
	actor := acct.Actor()
	owners := acct.ActiveOwners()
	for i := range plan.Steps {
		s := &plan.Steps[i]
		line := s.Record.Line
		switch s.Action {
		case ActionCreate:
			given := s.role.RBAC()
			d := rbac.Decide(rbac.Request{Actor: actor, Action: rbac.CreateAgent, Role: &given,
				Departments: len(s.createDepartments()) > 0})
			if !d.Allowed {
				p.add(line, deniedColumn(d), "%s", d.Reason)
			}
		case ActionUpdate, ActionRestore:
			target := acct.Roles.Subject(*s.Target)
			if s.Action == ActionRestore {
				d := rbac.Decide(rbac.Request{Actor: actor, Action: rbac.RestoreAgent, Target: &target})
				if !d.Allowed {
					p.add(line, "", "%s", d.Reason)
					continue
				}
			}
			if s.Update == nil {
				continue
			}
			if s.roleMoved() {
				given := s.role.RBAC()
				d := rbac.Decide(rbac.Request{Actor: actor, Action: rbac.SetRole, Target: &target, Role: &given,
					ActiveOwners: owners})
				if !d.Allowed {
					p.add(line, ColRole, "%s", d.Reason)
					continue
				}
				if target.Role.IsOwner() && !given.IsOwner() && s.Target.Active() {
					owners-- // the next demotion must still leave one
				}
			}
			if len(s.fields()) > 0 || s.Update.Departments != nil {
				d := rbac.Decide(rbac.Request{Actor: actor, Action: rbac.UpdateAgent, Target: &target,
					Fields: s.fields(), Departments: s.Update.Departments != nil})
				if !d.Allowed {
					p.add(line, deniedColumn(d), "%s", d.Reason)
				}
			}
		}
	}
	return p.list.Sorted()
}

func deniedColumn(d rbac.Decision) string {
	switch {
	case strings.Contains(d.Reason, "departments"):
		return ColDepartments
	case d.Rule == 2:
		return ColRole
	}
	return ""
}
