package rbac_test

import (
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/rbac"
)

// A randomized model of one account: agents with roles, custom roles, and
// random actors doing random things. Every request goes through Decide with
// the counts a caller must compute (ActiveOwners, OwnersHoldingRole,
// ActorHoldsRole); the model applies it only when allowed, and after every step
// checks the two invariants of spec/rbac.md:
//
//   - the account has at least one active owner (an agent whose role IsOwner);
//   - no agent holds a permission that the actor who last granted it (by
//     create, set-role, restore, reassignment, or by editing its custom role)
//     did not hold at that time.

// grant records who last gave an agent a permission, and what they held then.
type grant struct {
	by   string
	held rbac.Set
	how  string
	step int
}

type mAgent struct {
	id     string
	roleID string
	active bool
	prov   map[string]grant // permission -> who last granted it
}

type modelStats struct {
	allowed, denied map[rbac.Action]int
	byRule          map[int]int
	lastOwner       map[rbac.Action]int // rule 4 denials by action
	conflicts       int
	minOwners       int
}

func newStats() *modelStats {
	return &modelStats{allowed: map[rbac.Action]int{}, denied: map[rbac.Action]int{}, byRule: map[int]int{}, lastOwner: map[rbac.Action]int{}, minOwners: 1 << 30}
}

type model struct {
	rng    *rand.Rand
	decide func(rbac.Request) rbac.Decision
	roles  map[string]rbac.Role
	agents []*mAgent
	nextID int
	step   int
	trace  []string // the last steps, for a failure message
	stats  *modelStats
	broken string
}

func newModel(seed int64, decide func(rbac.Request) rbac.Decision, stats *modelStats) *model {
	m := &model{rng: rand.New(rand.NewSource(seed)), decide: decide, roles: map[string]rbac.Role{}, stats: stats}
	for _, r := range allRoles {
		if r.id == tHollow.id { // keep the model's account usable: nobody is given nothing
			continue
		}
		m.roles[r.id] = r.rbac()
	}
	seed0 := rbac.MustBuiltin(rbac.Owner).Permissions // the account was set up with everything
	// Two owners to start with (a built-in owner and a billing-clerk), so the
	// walk soon reaches the last owner.
	for _, id := range []string{"owner", "admin", "admin", "agent", "agent", "agent",
		tSupportLead.id, tOps.id, tBillingClerk.id, tFinanceAdmin.id, tManagerLite.id} {
		m.addAgent(id, "seed", seed0, "seed")
	}
	return m
}

func (m *model) addAgent(roleID, by string, held rbac.Set, how string) *mAgent {
	m.nextID++
	a := &mAgent{id: fmt.Sprintf("u%d", m.nextID), roleID: roleID, active: true}
	m.regrant(a, by, held, how)
	m.agents = append(m.agents, a)
	return a
}

// regrant: the agent's whole role was just given by `by`.
func (m *model) regrant(a *mAgent, by string, held rbac.Set, how string) {
	a.prov = map[string]grant{}
	for _, p := range m.roles[a.roleID].Permissions.Names() {
		a.prov[p] = grant{by, held, how, m.step}
	}
}

func (m *model) role(a *mAgent) rbac.Role { return m.roles[a.roleID] }

func (m *model) subject(a *mAgent) rbac.Subject {
	return rbac.Subject{ID: a.id, Email: a.id + "@example.com", Role: m.role(a)}
}

func (m *model) activeOwners() int {
	n := 0
	for _, a := range m.agents {
		if a.active && m.role(a).IsOwner() {
			n++
		}
	}
	return n
}

func (m *model) pick(active bool) *mAgent {
	var c []*mAgent
	for _, a := range m.agents {
		if a.active == active {
			c = append(c, a)
		}
	}
	if len(c) == 0 {
		return nil
	}
	return c[m.rng.Intn(len(c))]
}

// pickWhere picks a random active agent for which ok holds, or fallback.
func (m *model) pickWhere(ok func(*mAgent) bool, fallback *mAgent) *mAgent {
	var c []*mAgent
	for _, a := range m.agents {
		if a.active && ok(a) {
			c = append(c, a)
		}
	}
	if len(c) == 0 {
		return fallback
	}
	return c[m.rng.Intn(len(c))]
}

func (m *model) roleIDs(customOnly bool) []string {
	var ids []string
	for id, r := range m.roles {
		if !customOnly || !r.Builtin {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids) // map order is random; the seed must decide everything
	return ids
}

func (m *model) randomRole() rbac.Role {
	ids := m.roleIDs(false)
	return m.roles[ids[m.rng.Intn(len(ids))]]
}

// randomCustomRole is the role to edit or delete: mostly a custom role, often
// one held by an owner (to reach the last-owner rule), now and then a
// built-in (which must be refused).
func (m *model) randomCustomRole() rbac.Role {
	if m.rng.Intn(3) == 0 {
		if a := m.pickWhere(func(a *mAgent) bool { return m.role(a).IsOwner() && !m.role(a).Builtin }, nil); a != nil {
			return m.role(a)
		}
	}
	ids := m.roleIDs(true)
	if len(ids) == 0 || m.rng.Intn(8) == 0 {
		ids = m.roleIDs(false)
	}
	return m.roles[ids[m.rng.Intn(len(ids))]]
}

// randomPerms is a permission set for a new or edited role: often within what
// the actor holds (so it tends to be allowed), sometimes anything at all.
func (m *model) randomPerms(actor rbac.Set, from rbac.Set) rbac.Set {
	names := rbac.PermissionNames()
	var s rbac.Set
	switch m.rng.Intn(4) {
	case 0: // a subset of the actor's
		for _, p := range actor.Names() {
			if m.rng.Intn(5) > 0 {
				s = s.With(p)
			}
		}
	case 1, 2: // the starting set with one or two permissions flipped
		s = from
		for range 1 + m.rng.Intn(2) {
			p := names[m.rng.Intn(len(names))]
			if s.Has(p) {
				s = s.Without(p)
			} else {
				s = s.With(p)
			}
		}
	default: // anything
		for _, p := range names {
			if m.rng.Intn(2) == 0 {
				s = s.With(p)
			}
		}
	}
	if m.rng.Intn(5) == 0 { // often enough, take the owners' permission away
		s = s.Without(rbac.BillingManage)
	}
	return s
}

func (m *model) randomBase(perms rbac.Set) string {
	if perms.Has(rbac.BillingManage) && m.rng.Intn(3) > 0 {
		return rbac.Owner
	}
	return rbac.BuiltinNames()[m.rng.Intn(3)]
}

var modelFields = []string{"name", "gender", "avatar_url", "twofactor_auth", "email", "sip_phone_id", "role", "role_id", "status"}

// stepOnce does one random action by one random active agent. It returns an
// error when the package answered something malformed.
func (m *model) stepOnce() error {
	m.step++
	actor := m.pick(true)
	switch m.rng.Intn(6) {
	case 0, 1, 2: // half the time someone who can change things
		actor = m.pickWhere(func(a *mAgent) bool {
			r := m.role(a)
			return r.Has(rbac.AgentsManage) || r.Has(rbac.AgentsRoles) || r.Has(rbac.RolesManage)
		}, actor)
	case 3: // someone who holds every owner permission without being an owner
		// (a finance-admin): the one kind of actor that can reach the last owner
		actor = m.pickWhere(func(a *mAgent) bool {
			r := m.role(a)
			return !r.IsOwner() && r.Permissions == rbac.MustBuiltin(rbac.Owner).Permissions
		}, actor)
	}
	as := m.subject(actor)
	req := rbac.Request{Actor: as, ActiveOwners: m.activeOwners()}
	var apply func()
	desc := ""

	// target: an active agent, sometimes the actor itself.
	activeTarget := func() *mAgent {
		switch m.rng.Intn(8) {
		case 0:
			return actor
		case 1, 2: // owners, so that the last-owner rule is reached
			return m.pickWhere(func(a *mAgent) bool { return m.role(a).IsOwner() }, actor)
		}
		return m.pick(true)
	}

	switch k := m.rng.Intn(20); {
	case k < 1:
		req.Action = rbac.ReadAgents
		desc = "read agents"

	case k < 4:
		r := m.randomRole()
		req.Action, req.Role, req.Departments = rbac.CreateAgent, &r, m.rng.Intn(3) == 0
		desc = "create agent as " + r.Label()
		apply = func() { m.addAgent(r.ID, actor.id, as.Role.Permissions, "create") }

	case k < 6:
		t := activeTarget()
		ts := m.subject(t)
		var fields []string
		for _, f := range modelFields {
			if m.rng.Intn(6) == 0 {
				fields = append(fields, f)
			}
		}
		req.Action, req.Target, req.Fields, req.Departments = rbac.UpdateAgent, &ts, fields, m.rng.Intn(4) == 0
		desc = fmt.Sprintf("update %s %v", t.id, fields)
		apply = func() {
			// An allowed update never touches the role or the status.
			if slices.Contains(fields, "role") || slices.Contains(fields, "role_id") || slices.Contains(fields, "status") {
				m.broken = fmt.Sprintf("update of %v was allowed", fields)
			}
		}

	case k < 8:
		t := activeTarget()
		ts := m.subject(t)
		req.Action, req.Target = rbac.DeleteAgent, &ts
		desc = "delete " + t.id + " (" + ts.Role.Label() + ")"
		apply = func() { t.active = false }

	case k < 10:
		t := m.pick(false)
		if t == nil {
			return nil
		}
		ts := m.subject(t)
		req.Action, req.Target = rbac.RestoreAgent, &ts
		desc = "restore " + t.id + " (" + ts.Role.Label() + ")"
		apply = func() {
			t.active = true
			m.regrant(t, actor.id, as.Role.Permissions, "restore")
		}

	case k < 14:
		t := activeTarget()
		ts := m.subject(t)
		r := m.randomRole()
		req.Action, req.Target, req.Role = rbac.SetRole, &ts, &r
		desc = fmt.Sprintf("set-role %s (%s) -> %s", t.id, ts.Role.Label(), r.Label())
		apply = func() {
			t.roleID = r.ID
			m.regrant(t, actor.id, as.Role.Permissions, "set-role")
		}

	case k < 16:
		m.nextID++
		perms := m.randomPerms(as.Role.Permissions, m.randomRole().Permissions)
		r := rbac.Role{ID: fmt.Sprintf("c%d", m.nextID), Name: fmt.Sprintf("custom-%d", m.nextID), Base: m.randomBase(perms), Permissions: perms}
		req.Action, req.Role = rbac.CreateRole, &r
		desc = "create role " + r.Label() + " " + fmt.Sprint(perms.Names())
		apply = func() { m.roles[r.ID] = r }

	case k < 18:
		old := m.randomCustomRole()
		perms := m.randomPerms(as.Role.Permissions, old.Permissions)
		base := old.Base
		if m.rng.Intn(6) == 0 {
			base = m.randomBase(perms)
		}
		nr := rbac.Role{ID: old.ID, Name: old.Name, Base: base, Builtin: old.Builtin, Permissions: perms}
		req.Action, req.OldRole, req.Role = rbac.UpdateRole, &old, &nr
		req.OwnersHoldingRole, req.ActorHoldsRole = m.ownersHolding(old), actor.roleID == old.ID
		desc = fmt.Sprintf("update role %s -> %s %v", old.Label(), nr.Label(), perms.Names())
		apply = func() {
			m.roles[old.ID] = nr
			for _, a := range m.agents {
				if a.roleID != old.ID {
					continue
				}
				for _, p := range nr.Permissions.Names() {
					if !old.Permissions.Has(p) { // newly given by this edit
						a.prov[p] = grant{actor.id, as.Role.Permissions, "edit role " + old.Name, m.step}
					}
				}
			}
		}

	default:
		old := m.randomCustomRole()
		req.Action, req.OldRole = rbac.DeleteRole, &old
		req.OwnersHoldingRole, req.ActorHoldsRole = m.ownersHolding(old), actor.roleID == old.ID
		var re *rbac.Role
		if m.rng.Intn(3) > 0 {
			r := m.randomRole()
			if r.ID != old.ID {
				re = &r
			}
		}
		req.Role = re
		desc = "delete role " + old.Label()
		if re != nil {
			desc += " reassigning to " + re.Label()
		}
		apply = func() {
			if re == nil {
				for _, a := range m.agents {
					if a.active && a.roleID == old.ID {
						m.stats.conflicts++ // 409: still assigned, and no reassignment asked
						desc += " -> 409"
						return
					}
				}
			}
			for _, a := range m.agents {
				if a.roleID != old.ID {
					continue
				}
				switch {
				case re != nil:
					a.roleID = re.ID
					m.regrant(a, actor.id, as.Role.Permissions, "reassigned from "+old.Name)
				default:
					// Only deleted agents can still hold it; they come back as
					// agents, and whoever restores them grants that.
					a.roleID = rbac.Agent
				}
			}
			delete(m.roles, old.ID)
		}
	}

	d := m.decide(req)
	if d.Allowed {
		m.stats.allowed[req.Action]++
		desc = "ALLOW " + desc
		if apply != nil {
			apply()
		}
	} else {
		m.stats.denied[req.Action]++
		m.stats.byRule[d.Rule]++
		if d.Rule == 4 {
			m.stats.lastOwner[req.Action]++
		}
		desc = fmt.Sprintf("deny(rule %d: %s) %s", d.Rule, d.Reason, desc)
		if d.Rule < 0 || d.Rule > 7 {
			return fmt.Errorf("denial with rule %d", d.Rule)
		}
		if msg := reasonProblem(d.Reason); msg != "" {
			return fmt.Errorf("%s", msg)
		}
	}
	m.trace = append(m.trace, fmt.Sprintf("#%d %s (%s): %s", m.step, actor.id, as.Role.Label(), desc))
	if len(m.trace) > 12 {
		m.trace = m.trace[1:]
	}
	if m.broken != "" {
		return fmt.Errorf("%s", m.broken)
	}
	return nil
}

func (m *model) ownersHolding(r rbac.Role) int {
	n := 0
	for _, a := range m.agents {
		if a.active && a.roleID == r.ID && m.role(a).IsOwner() {
			n++
		}
	}
	return n
}

// check returns the first broken invariant, or nil.
func (m *model) check() error {
	owners := m.activeOwners()
	if owners < m.stats.minOwners {
		m.stats.minOwners = owners
	}
	if owners < 1 {
		return fmt.Errorf("the account has no active owner")
	}
	for _, a := range m.agents {
		if !a.active {
			continue
		}
		if _, ok := m.roles[a.roleID]; !ok {
			return fmt.Errorf("%s holds the deleted role %s", a.id, a.roleID)
		}
		for _, p := range m.role(a).Permissions.Names() {
			g, ok := a.prov[p]
			if !ok {
				return fmt.Errorf("%s holds %s that nobody granted", a.id, p)
			}
			if !g.held.Has(p) {
				return fmt.Errorf("%s (%s) holds %s, granted at step %d by %s (%s), who did not hold it",
					a.id, m.role(a).Label(), p, g.step, g.by, g.how)
			}
		}
	}
	return nil
}

// runModel runs one seed and returns the first problem, with the steps that led to it.
func runModel(seed int64, steps int, decide func(rbac.Request) rbac.Decision, stats *modelStats) error {
	m := newModel(seed, decide, stats)
	if err := m.check(); err != nil {
		return fmt.Errorf("initial account: %v", err)
	}
	for range steps {
		err := m.stepOnce()
		if err == nil {
			err = m.check()
		}
		if err != nil {
			return fmt.Errorf("seed %d step %d: %v\nlast steps:\n  %s", seed, m.step, err, strings.Join(m.trace, "\n  "))
		}
	}
	return nil
}

const (
	modelSeeds = 10
	modelSteps = 500
)

func TestInvariantsRandomized(t *testing.T) {
	stats := newStats()
	for seed := int64(1); seed <= modelSeeds; seed++ {
		if err := runModel(seed, modelSteps, rbac.Decide, stats); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d seeds x %d steps; denials by rule %v; rule 4 by action %v; 409 conflicts %d; fewest active owners %d",
		modelSeeds, modelSteps, stats.byRule, stats.lastOwner, stats.conflicts, stats.minOwners)
	for a := rbac.ReadAgents; a <= rbac.DeleteRole; a++ {
		t.Logf("  %-22s allowed %4d  denied %4d", a, stats.allowed[a], stats.denied[a])
		if stats.allowed[a] == 0 && a != rbac.ReadAgents {
			t.Errorf("%s was never allowed: the walk does not exercise it", a)
		}
		if stats.denied[a] == 0 && a != rbac.ReadAgents {
			t.Errorf("%s was never denied: the walk does not exercise it", a)
		}
	}
	for _, rule := range []int{1, 2, 3, 4, 5, 6, 7} {
		if stats.byRule[rule] == 0 {
			t.Errorf("no step was denied by rule %d", rule)
		}
	}
	if stats.minOwners != 1 {
		t.Errorf("the walk never reached a single active owner (min %d), so rule 4 is not exercised", stats.minOwners)
	}
}

// TestInvariantsHaveTeeth: the same walk with a weakened Decide must break an
// invariant, otherwise the test above proves nothing.
func TestInvariantsHaveTeeth(t *testing.T) {
	weakened := map[string]struct {
		decide func(rbac.Request) rbac.Decision
		broken string
	}{
		"allow everything": {func(rbac.Request) rbac.Decision { return rbac.Decision{Allowed: true} }, ""},
		"ignore rule 4": {func(r rbac.Request) rbac.Decision {
			if d := rbac.Decide(r); d.Allowed || d.Rule != 4 {
				return d
			}
			return rbac.Decision{Allowed: true}
		}, "no active owner"},
		"ignore rule 2": {func(r rbac.Request) rbac.Decision {
			if d := rbac.Decide(r); d.Allowed || d.Rule != 2 {
				return d
			}
			return rbac.Decision{Allowed: true}
		}, "who did not hold it"},
		"let anyone with roles.manage edit any custom role": {func(r rbac.Request) rbac.Decision {
			d := rbac.Decide(r)
			if d.Allowed || r.Action != rbac.UpdateRole || r.OldRole.Builtin || r.ActorHoldsRole ||
				!r.Actor.Role.Has(rbac.RolesManage) || d.Rule == 4 {
				return d
			}
			return rbac.Decision{Allowed: true}
		}, "who did not hold it"},
	}
	for name, w := range weakened {
		t.Run(name, func(t *testing.T) {
			var err error
			for seed := int64(1); seed <= modelSeeds && err == nil; seed++ {
				err = runModel(seed, modelSteps, w.decide, newStats())
			}
			if err == nil {
				t.Fatalf("a Decide that does %q passed every invariant", name)
			}
			if !strings.Contains(err.Error(), w.broken) {
				t.Fatalf("broke the wrong thing: %v", err)
			}
		})
	}
}
