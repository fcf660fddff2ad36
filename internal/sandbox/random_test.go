package sandbox

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// TestRandomOperationsKeepInvariants runs long random sequences of operations
// by random actors over raw HTTP and, after every step, checks the invariants
// of spec/rbac.md: the account has an active owner, and no active agent holds
// a permission that the actor who last gave it its role did not hold then.
// Each step's status is also predicted from the test's own model of the
// account with rbac.Decide, so the server must fill every rule input right.
func TestRandomOperationsKeepInvariants(t *testing.T) {
	const steps = 300
	for seed := uint64(1); seed <= 5; seed++ {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, seed)
			w.refresh()
			for step := range steps {
				w.step()
				w.refresh() // the state after this step is the one the next starts from
				w.checkInvariants(step)
			}
			t.Logf("outcomes: %v", w.outcomes)
		})
	}
}

// world is the test's model of the account: the state read back after each
// step, every agent's key, and who granted each agent its role.
type world struct {
	t   *testing.T
	ts  *testServer
	rng *rand.Rand

	agents   []liveagent.Agent         // all agents, deleted too, in creation order
	roles    map[string]liveagent.Role // by id, built-ins included
	keys     map[string]string         // agent id -> API key
	grants   map[string]rbac.Set       // agent id -> the granter's permissions at the time
	trail    []string                  // the steps so far, for failure messages
	outcomes map[string]int            // "op status" -> count, to see the test bites

	// allAgents is prepared once: refresh runs after every step, and parsing
	// the query each time would be most of the test's time.
	allAgents *sql.Stmt
}

func newWorld(t *testing.T, seed uint64) *world {
	w := &world{t: t, ts: newTestServer(t, Options{}), rng: rand.New(rand.NewPCG(seed, 0)),
		keys: map[string]string{}, grants: map[string]rbac.Set{}, outcomes: map[string]int{}}
	var err error
	if w.allAgents, err = w.ts.srv.db.Prepare("SELECT " + agentColumns + " FROM agents ORDER BY seq"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.allAgents.Close() })
	all := rbac.MustBuiltin(rbac.Owner).Permissions
	for _, key := range []string{OwnerKey, AdminKey, AgentKey} {
		a := w.ts.me(key)
		w.keys[a.ID] = key
		w.grants[a.ID] = all // the seed account was made by the system
	}
	// A role with every permission but based on admin, so its holder is not
	// an owner yet reaches owners: the one actor rule 4 has to stop. Without
	// it, "the account keeps an owner" would hardly ever be put to the test.
	super := w.ts.createRole("", liveagent.RoleCreate{Name: "super", Base: rbac.Admin, Permissions: all.Names()})
	a, key := w.ts.createAgent("", liveagent.AgentCreate{Name: "Super", Email: "super@example.com", RoleID: super.ID})
	w.keys[a.ID], w.grants[a.ID] = key, all
	return w
}

// refresh reads the state straight from the database: any key the test
// could observe with may itself be deleted or demoted by the random steps.
func (w *world) refresh() {
	ctx := w.t.Context()
	rows, err := w.allAgents.QueryContext(ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	w.agents = w.agents[:0]
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			w.t.Fatal(err)
		}
		w.agents = append(w.agents, a.Agent)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		w.t.Fatal(err)
	}
	custom, err := customRoles(ctx, w.ts.srv.pool())
	if err != nil {
		w.t.Fatal(err)
	}
	w.roles = map[string]liveagent.Role{}
	for _, b := range rbac.BuiltinNames() {
		w.roles[b] = builtinWire(b)
	}
	for _, c := range custom {
		w.roles[c.ID] = liveagent.RoleFromRBAC(c, 0)
	}
}

func (w *world) roleOf(a liveagent.Agent) rbac.Role {
	id := a.RoleID
	if id == "" {
		id = a.Role
	}
	r, found := w.roles[id]
	if !found {
		w.t.Fatalf("agent %s holds unknown role %q", a.ID, id)
	}
	return r.RBAC()
}

func (w *world) subject(a liveagent.Agent) rbac.Subject {
	return rbac.Subject{ID: a.ID, Email: a.Email, Role: w.roleOf(a)}
}

func (w *world) active() []liveagent.Agent {
	var out []liveagent.Agent
	for _, a := range w.agents {
		if a.Status == liveagent.StatusActive {
			out = append(out, a)
		}
	}
	return out
}

func (w *world) owners() []liveagent.Agent {
	var out []liveagent.Agent
	for _, a := range w.active() {
		if w.roleOf(a).IsOwner() {
			out = append(out, a)
		}
	}
	return out
}

func (w *world) activeOwners() int { return len(w.owners()) }

func (w *world) holders(roleID string, activeOnly bool) []liveagent.Agent {
	var out []liveagent.Agent
	for _, a := range w.agents {
		if a.RoleID == roleID && (!activeOnly || a.Status == liveagent.StatusActive) {
			out = append(out, a)
		}
	}
	return out
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func (w *world) randomRole() liveagent.Role {
	var customs []liveagent.Role
	for _, r := range w.roles {
		if !r.Builtin {
			customs = append(customs, r)
		}
	}
	// Map order is random: sort for a pick the seed reproduces.
	slices.SortFunc(customs, func(a, b liveagent.Role) int { return strings.Compare(a.ID, b.ID) })
	all := []liveagent.Role{w.roles[rbac.Owner], w.roles[rbac.Admin], w.roles[rbac.Agent]}
	return pick(w.rng, append(all, customs...))
}

// randomRoleToChange mostly picks a custom role (built-ins are refused
// outright, so they teach little past the first few tries).
func (w *world) randomRoleToChange() liveagent.Role {
	for range 5 {
		if r := w.randomRole(); !r.Builtin {
			return r
		}
	}
	return w.randomRole()
}

func (w *world) randomPermissions() rbac.Set {
	density := pick(w.rng, []float64{0.2, 0.6, 0.95, 1})
	var names []string
	for _, p := range rbac.PermissionNames() {
		if w.rng.Float64() < density {
			names = append(names, p)
		}
	}
	return rbac.MustSet(names...)
}

// step performs one random operation and checks its status against the model.
func (w *world) step() {
	actor := pick(w.rng, w.active())
	key := w.keys[actor.ID]
	as := w.subject(actor)
	target := pick(w.rng, w.agents)
	if owners := w.owners(); w.rng.IntN(3) == 0 {
		// Aim at owners often, or "the last owner" would rarely come up.
		target = pick(w.rng, owners)
	}
	tgt := w.subject(target)
	targetActive := target.Status == liveagent.StatusActive

	var op string
	var r response
	want := 0 // the predicted status
	rule := 0 // the rule that denied it, to see which rules the run reached
	decided := func(req rbac.Request, okStatus int) {
		if d := rbac.Decide(req); !d.Allowed {
			want, rule = http.StatusForbidden, d.Rule
		} else {
			want = okStatus
		}
	}

	switch w.rng.IntN(8) {
	case 0, 1: // create, with a random role; emails repeat to hit 409s
		op = "create"
		role := w.randomRole()
		email := fmt.Sprintf("u%d@example.com", w.rng.IntN(40))
		if w.rng.IntN(2) == 0 {
			email = strings.ToUpper(email[:2]) + email[2:]
		}
		body := roleBody(role)
		body["name"], body["email"] = "U", email
		var depts []string
		if w.rng.IntN(3) == 0 {
			depts = []string{pick(w.rng, []string{DeptSupportID, DeptSalesID, DeptBillingID})}
			body["departments"] = depts
		}
		rr := role.RBAC()
		decided(rbac.Request{Actor: as, Action: rbac.CreateAgent, Role: &rr, Departments: len(depts) > 0}, http.StatusCreated)
		if want == http.StatusCreated {
			for _, a := range w.agents {
				if strings.EqualFold(a.Email, email) {
					want = http.StatusConflict
				}
			}
		}
		r = w.ts.do(key, "POST", liveagent.PathAgents, body)
		if r.status == http.StatusCreated {
			a := decode[liveagent.Agent](w.t, r)
			w.keys[a.ID] = w.ts.key(a.ID)
			w.grants[a.ID] = as.Role.Permissions
		}

	case 2: // set-role
		op = "set-role"
		role := w.randomRole()
		rr := role.RBAC()
		if !targetActive {
			want = http.StatusNotFound
		} else if rr.ID == tgt.Role.ID {
			decided(rbac.Request{Actor: as, Action: rbac.UpdateAgent, Target: &tgt}, http.StatusOK)
		} else {
			decided(rbac.Request{Actor: as, Action: rbac.SetRole, Target: &tgt, Role: &rr,
				ActiveOwners: w.activeOwners()}, http.StatusOK)
		}
		r = w.ts.do(key, "PUT", liveagent.PathAgent(target.ID), roleBody(role))
		if r.status == http.StatusOK && rr.ID != tgt.Role.ID {
			w.grants[target.ID] = as.Role.Permissions
		}

	case 3: // delete
		op = "delete"
		if !targetActive {
			want = http.StatusNotFound
		} else {
			decided(rbac.Request{Actor: as, Action: rbac.DeleteAgent, Target: &tgt, ActiveOwners: w.activeOwners()}, http.StatusOK)
		}
		r = w.ts.do(key, "DELETE", liveagent.PathAgent(target.ID), nil)

	case 4: // restore, by id or by email (emails never repeat, so both name one agent)
		op = "restore"
		decided(rbac.Request{Actor: as, Action: rbac.RestoreAgent, Target: &tgt}, http.StatusOK)
		if want == http.StatusOK && targetActive {
			want = http.StatusConflict
		}
		body := map[string]any{"id": target.ID}
		if w.rng.IntN(2) == 0 {
			body = map[string]any{"email": strings.ToUpper(target.Email)}
		}
		r = w.ts.do(key, "POST", liveagent.PathAgentUndelete, body)
		if r.status == http.StatusOK {
			w.grants[target.ID] = as.Role.Permissions
		}

	case 5: // update a profile field
		op = "update"
		if !targetActive {
			want = http.StatusNotFound
		} else {
			decided(rbac.Request{Actor: as, Action: rbac.UpdateAgent, Target: &tgt, Fields: []string{"name"}}, http.StatusOK)
		}
		r = w.ts.do(key, "PUT", liveagent.PathAgent(target.ID), map[string]any{"name": fmt.Sprintf("N%d", w.rng.IntN(100))})

	case 6: // create or edit a custom role
		perms := w.randomPermissions()
		if w.rng.IntN(2) == 0 {
			op = "create-role"
			def := rbac.Role{Name: fmt.Sprintf("role-%d", w.rng.IntN(6)), Base: pick(w.rng, rbac.BuiltinNames()), Permissions: perms}
			decided(rbac.Request{Actor: as, Action: rbac.CreateRole, Role: &def}, http.StatusCreated)
			if want == http.StatusCreated {
				for _, existing := range w.roles {
					if strings.EqualFold(existing.Name, def.Name) {
						want = http.StatusConflict
					}
				}
			}
			r = w.ts.do(key, "POST", liveagent.PathRoles, liveagent.RoleCreate{Name: def.Name, Base: def.Base, Permissions: perms.Names()})
			break
		}
		op = "update-role"
		old := w.randomRoleToChange()
		oldR := old.RBAC()
		def := oldR
		def.Permissions = perms
		decided(w.roleChange(as, rbac.UpdateRole, oldR, &def), http.StatusOK)
		r = w.ts.do(key, "PUT", liveagent.PathRole(old.ID), map[string]any{"permissions": perms.Names()})
		if r.status == http.StatusOK {
			for _, h := range w.holders(old.ID, false) {
				w.grants[h.ID] = as.Role.Permissions
			}
		}

	case 7: // delete a custom role, sometimes moving its holders
		op = "delete-role"
		old := w.randomRoleToChange()
		oldR := old.RBAC()
		path := liveagent.PathRole(old.ID)
		var to *rbac.Role
		if w.rng.IntN(2) == 0 {
			if dest := w.randomRole(); dest.ID != old.ID {
				d := dest.RBAC()
				to = &d
				path += "?reassign_to=" + dest.ID
			}
		}
		req := w.roleChange(as, rbac.DeleteRole, oldR, to)
		decided(req, http.StatusOK)
		if want == http.StatusOK && to == nil && len(w.holders(old.ID, true)) > 0 {
			want = http.StatusConflict
		}
		r = w.ts.do(key, "DELETE", path, nil)
		if r.status == http.StatusOK && to != nil {
			for _, h := range w.holders(old.ID, false) {
				w.grants[h.ID] = as.Role.Permissions
			}
		}
		// Without reassign_to only deleted holders remain; they fall back to
		// the built-in agent and get a granter again when someone restores them.
	}

	w.trail = append(w.trail, fmt.Sprintf("%s by %s (%s) on %s (%s): %v", op, actor.ID, as.Role.Label(), target.ID, tgt.Role.Label(), r))
	outcome := fmt.Sprintf("%s %d", op, r.status)
	if r.status == http.StatusForbidden {
		outcome += fmt.Sprintf(" rule %d", rule)
	}
	w.outcomes[outcome]++
	if r.status != want {
		w.fail("step %d: %s: got %v, the model predicts %d", len(w.trail), op, r, want)
	}
}

// roleChange is the request for editing or deleting a role, from the model.
func (w *world) roleChange(actor rbac.Subject, action rbac.Action, old rbac.Role, role *rbac.Role) rbac.Request {
	req := rbac.Request{Actor: actor, Action: action, OldRole: &old, Role: role,
		ActiveOwners: w.activeOwners(), ActorHoldsRole: actor.Role.ID == old.ID}
	if old.IsOwner() {
		for _, a := range w.active() {
			if w.roleOf(a).ID == old.ID {
				req.OwnersHoldingRole++
			}
		}
	}
	return req
}

func (w *world) checkInvariants(step int) {
	if w.activeOwners() < 1 {
		w.fail("after step %d the account has no active owner", step+1)
	}
	for _, a := range w.active() {
		granted, known := w.grants[a.ID]
		if !known {
			w.fail("after step %d agent %s is active but the test never saw it granted a role", step+1, a.ID)
		}
		if missing := granted.Missing(w.roleOf(a).Permissions); len(missing) > 0 {
			w.fail("after step %d agent %s holds %v, which whoever gave its role did not hold", step+1, a.ID, missing)
		}
	}
}

func (w *world) fail(format string, args ...any) {
	w.t.Helper()
	tail := w.trail
	if len(tail) > 15 {
		tail = tail[len(tail)-15:]
	}
	w.t.Fatalf(format+"\nlast steps:\n  %s", append(args, strings.Join(tail, "\n  "))...)
}
