package bulk

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
	"github.com/ladmin/ladmin/internal/text"
)

// Offboarding (spec/lifecycle.md) is another way to make a plan: each input
// row names an agent, and its step holds the operations that offboard it, in
// order: sign out, revoke each of its API keys, delete. Apply runs them with
// the same workers, limiter, outcomes and report as an import.

// ActionOffboard is the action of a row whose agent is offboarded (or whose
// leftovers are cleaned up: an agent deleted already still gets signed out
// and its keys revoked).
const ActionOffboard Action = "offboard"

// OpKind is the kind of one operation of a plan.
type OpKind string

// The operations of offboarding.
const (
	OpSignOut   OpKind = "sign-out"   // POST /agents/{id}/_logout
	OpRevokeKey OpKind = "revoke-key" // DELETE /apikeys/{id}
	OpDelete    OpKind = "delete"     // DELETE /agents/{id}
)

// AgentState is an agent as it was read when the plan was made: the one
// state that saved plans, the journal and undo keep too.
type AgentState = liveagent.AgentState

// StateOf records what a plan saw of an agent.
func StateOf(a liveagent.Agent) AgentState { return *liveagent.StateOf(a, nil) }

// Op is one request of a plan, as data that can be written out and read
// back (saved plans, the journal): what it does, to which agent (and key),
// and the agent's state as read.
type Op struct {
	Kind    OpKind     `json:"kind"`
	AgentID string     `json:"agent_id"`
	Email   string     `json:"email"`
	KeyID   string     `json:"key_id,omitempty"`
	KeyName string     `json:"key_name,omitempty"`
	Target  AgentState `json:"target"`
}

func (o Op) String() string {
	switch o.Kind {
	case OpRevokeKey:
		return fmt.Sprintf("revoke key %s%s", o.KeyID, keyName(o.KeyName))
	case OpSignOut:
		return "sign out"
	}
	return string(o.Kind)
}

func keyName(name string) string {
	if name == "" {
		return ""
	}
	return fmt.Sprintf(" (%q)", name)
}

// Key is what a plan needs to know of an API key (never its secret).
type Key struct {
	ID     string
	Name   string
	UserID string
}

// KeptKey is a key of a leaver that the plan leaves alone, and why.
type KeptKey struct {
	Key    Key
	Reason string
}

// Reasons for keeping a key.
const (
	KeptOwnKey  = "it is the key this run uses; revoke it afterwards with `ladmin auth logout --revoke` or `ladmin apikey revoke`"
	KeptByFlag  = "--keep-keys"
	unknownOwnN = "ladmin cannot tell which key this run uses (a pasted key on an account without the extensions): " +
		"if it is one of this agent's keys, the run stops working once it is revoked"
)

// OffboardOptions shape an offboarding plan.
type OffboardOptions struct {
	// KeepKeys leaves API keys alone (--keep-keys).
	KeepKeys bool
	// OwnKeyID is the id of the key this run uses, when known (a key that
	// `auth login --email` made and the profile remembers).
	OwnKeyID string
	// CallerUnknown is true when ladmin cannot tell which agent holds the
	// key (an account without the extensions): then, unless OwnKeyID is
	// known, it cannot tell which key to spare, and the plan says so.
	CallerUnknown bool
}

// Offboard columns: the identity of the agent to offboard.
var offboardIdentity = []string{ColEmail, ColID}

// OffboardParseOptions are the options to read a leavers file with: the
// import reader, email or id required, other columns kept for the report.
func OffboardParseOptions(name string, format Format) ParseOptions {
	return ParseOptions{Name: name, Format: format, IgnoreUnknownColumns: true, Identity: offboardIdentity}
}

// RefsFile makes an input file of agent references given as arguments:
// each one is a row, numbered from 1, with its email or id.
func RefsFile(name string, refs []string) *File {
	f := &File{Name: name, Format: FormatCSV, Columns: []string{"ref"}}
	for i, ref := range refs {
		ref = strings.TrimSpace(ref)
		r := Record{Line: i + 1, Raw: []string{ref}}
		if strings.Contains(ref, "@") {
			r.Email = ref
		} else {
			r.ID = ref
		}
		f.Records = append(f.Records, r)
	}
	return f
}

// Ref is how a row names its agent: the email, else the id.
func (r *Record) Ref() string {
	if r.Email != "" {
		return r.Email
	}
	return r.ID
}

// ValidateOffboard checks the rows of a leavers file: each names an agent
// by a valid email or an id, and no agent twice.
func ValidateOffboard(f *File) Problems {
	p := &problemList{file: f.Name}
	seen := map[string]int{}
	for i := range f.Records {
		r := &f.Records[i]
		if r.broken {
			continue
		}
		if r.reported[ColEmail] || r.reported[ColID] {
			continue
		}
		switch {
		case r.Email == "" && r.ID == "":
			p.add(r.Line, "", "no email and no id: each row names the agent to offboard")
			continue
		case r.Email != "" && !liveagent.ValidEmail(r.Email):
			p.add(r.Line, ColEmail, "invalid email %q: expected an address such as ana@acme.com", r.Email)
			continue
		case r.ID != "" && strings.ContainsAny(r.ID, "/?# \t"):
			p.add(r.Line, ColID, "invalid agent id %q", r.ID)
			continue
		}
		key := strings.ToLower(r.Ref())
		if first, dup := seen[key]; dup {
			p.add(r.Line, "", "%s appears twice (line %d has it too); each agent must appear once", r.Ref(), first)
			continue
		}
		seen[key] = r.Line
	}
	return p.list.Sorted()
}

// Find returns the agent a row names: by id when it gives one, else by
// email (the active agent, else the most recently deleted one); nil when
// the account has none.
func (a *Account) Find(r *Record) *liveagent.Agent {
	if r.ID != "" {
		return a.byID[r.ID]
	}
	return a.Lookup(r.Email)
}

// MakeOffboardPlan plans every row against one read of the account and its
// keys: an agent that exists gets sign-out, a revoke-key per key it holds
// (unless kept) and, when still active, delete; an agent deleted already
// gets sign-out and revoke-key only; a row that names no agent is a skip
// (no such agent). Rows must be valid (ValidateOffboard) and name distinct
// agents (CheckOffboardTargets) first.
func MakeOffboardPlan(f *File, acct *Account, keys []Key, opts OffboardOptions) *Plan {
	byUser := KeysByAgent(keys)
	plan := &Plan{File: f}
	for i := range f.Records {
		r := &f.Records[i]
		step := Step{Record: r}
		target := acct.Find(r)
		if target == nil {
			step.Action = ActionSkip
			step.Details = "no such agent"
			plan.Steps = append(plan.Steps, step)
			continue
		}
		if r.Email == "" {
			r.Email = target.Email // the report names the agent by email too
		}
		plan.Steps = append(plan.Steps, OffboardStep(r, target, byUser[target.ID], opts))
	}
	return plan
}

// OffboardStep is the step that offboards one agent holding keys: sign out,
// revoke each key (unless kept), delete when still active. Offboarding,
// import --prune and undo make their offboard steps with it.
func OffboardStep(r *Record, target *liveagent.Agent, keys []Key, opts OffboardOptions) Step {
	step := Step{Record: r, Action: ActionOffboard, Target: target, more: &stepMore{}}
	more := step.more
	state := StateOf(*target)
	step.Before = &state
	op := func(kind OpKind) Op { return Op{Kind: kind, AgentID: target.ID, Email: target.Email, Target: state} }
	more.ops = append(more.ops, op(OpSignOut))
	revoked := 0
	for _, k := range keys {
		switch {
		case opts.KeepKeys:
			more.kept = append(more.kept, KeptKey{Key: k, Reason: KeptByFlag})
		case opts.OwnKeyID != "" && k.ID == opts.OwnKeyID:
			more.kept = append(more.kept, KeptKey{Key: k, Reason: KeptOwnKey})
		default:
			o := op(OpRevokeKey)
			o.KeyID, o.KeyName = k.ID, k.Name
			more.ops = append(more.ops, o)
			revoked++
		}
	}
	if revoked > 0 && opts.CallerUnknown && opts.OwnKeyID == "" {
		more.notes = append(more.notes, unknownOwnN)
	}
	if target.Active() {
		more.ops = append(more.ops, op(OpDelete))
	}
	step.Details = offboardDetails(step, target)
	return step
}

// KeysByAgent groups keys by the agent that holds them.
func KeysByAgent(keys []Key) map[string][]Key {
	byUser := map[string][]Key{}
	for _, k := range keys {
		byUser[k.UserID] = append(byUser[k.UserID], k)
	}
	return byUser
}

// CheckOffboardTargets checks the rows against the account before a plan is
// made: a row whose id and email name different agents, and two rows naming
// the same agent (one by id, one by email), are problems (exit 2).
func CheckOffboardTargets(f *File, acct *Account) Problems {
	p := &problemList{file: f.Name}
	seen := map[string]int{} // agent id -> line
	for i := range f.Records {
		r := &f.Records[i]
		target := acct.Find(r)
		switch {
		case target == nil:
		case r.ID != "" && r.Email != "" && !strings.EqualFold(r.Email, target.Email):
			p.add(r.Line, "", "id %s is the agent %s, not %s: fix the id or the email", r.ID, target.Email, r.Email)
		case seen[target.ID] > 0:
			p.add(r.Line, "", "%s is the agent of line %d too (id %s); each agent must appear once", r.Ref(), seen[target.ID], target.ID)
		default:
			seen[target.ID] = r.Line
		}
	}
	return p.list.Sorted()
}

func offboardDetails(s Step, target *liveagent.Agent) string {
	parts := []string{"sign out"}
	if n := s.KeysToRevoke(); n > 0 {
		parts = append(parts, "revoke "+text.Count(n, "key", "keys")+" ("+strings.Join(s.keyIDs(), ", ")+")")
	} else if len(s.Kept()) == 0 {
		parts = append(parts, "no keys")
	}
	for _, k := range s.Kept() {
		parts = append(parts, fmt.Sprintf("keep key %s (%s)", k.Key.ID, k.Reason))
	}
	if target.Active() {
		parts = append(parts, "delete")
	} else {
		parts = append(parts, "already deleted")
	}
	d := fmt.Sprintf("id %s: %s", target.ID, strings.Join(parts, ", "))
	for _, n := range s.Notes() {
		d += "; " + n
	}
	return d
}

// KeysToRevoke is how many revoke-key operations the step holds.
func (s *Step) KeysToRevoke() int {
	n := 0
	for _, o := range s.Ops() {
		if o.Kind == OpRevokeKey {
			n++
		}
	}
	return n
}

func (s *Step) keyIDs() []string {
	var ids []string
	for _, o := range s.Ops() {
		if o.Kind == OpRevokeKey {
			ids = append(ids, o.KeyID)
		}
	}
	return ids
}

// OffboardCounts sums up an offboarding plan for its confirmation and summary.
type OffboardCounts struct {
	Agents   int // rows that name an agent (to offboard or clean up)
	Deletes  int
	Revokes  int
	Kept     int
	NotFound int
}

// OffboardCounts tallies the plan.
func (p *Plan) OffboardCounts() OffboardCounts {
	var c OffboardCounts
	for i := range p.Steps {
		s := &p.Steps[i]
		if s.Action != ActionOffboard {
			c.NotFound++
			continue
		}
		c.Agents++
		c.Revokes += s.KeysToRevoke()
		c.Kept += len(s.Kept())
		for _, o := range s.Ops() {
			if o.Kind == OpDelete {
				c.Deletes++
			}
		}
	}
	return c
}

// Question is the one confirmation of a batch: "Offboard 12 agents: sign
// out, revoke 5 keys, delete?".
func (c OffboardCounts) Question() string {
	parts := []string{"sign out"}
	if c.Revokes > 0 {
		parts = append(parts, "revoke "+text.Count(c.Revokes, "key", "keys"))
	}
	if c.Deletes > 0 {
		if c.Deletes == c.Agents {
			parts = append(parts, "delete")
		} else {
			parts = append(parts, fmt.Sprintf("delete %d", c.Deletes))
		}
	}
	return fmt.Sprintf("Offboard %s: %s?", text.Count(c.Agents, "agent", "agents"), strings.Join(parts, ", "))
}

func (c OffboardCounts) String() string {
	s := fmt.Sprintf("%s to offboard (%s to delete, %s to revoke",
		text.Count(c.Agents, "agent", "agents"), text.Count(c.Deletes, "agent", "agents"), text.Count(c.Revokes, "key", "keys"))
	if c.Kept > 0 {
		s += fmt.Sprintf(", %d kept", c.Kept)
	}
	s += ")"
	if c.NotFound > 0 {
		s += fmt.Sprintf(", %d not found", c.NotFound)
	}
	return s
}

// AuthorizeOffboard applies the rules to every agent of the plan, before
// anything is sent: those of delete (spec/rbac.md 3, 4 and 5: nobody
// offboards themselves, nor anyone holding a permission they lack, so an
// admin cannot offboard an owner, and the last active owner stays), and for
// an agent deleted already those of signing out and revoking its keys.
// Seeing others' keys needs apikeys.read, revoking them apikeys.manage.
// Every refusal is one problem naming the row; a refusal that concerns the
// whole run is one problem on line 0.
func AuthorizeOffboard(plan *Plan, acct *Account, opts OffboardOptions) Problems {
	p := &problemList{file: plan.File.Name}
	actor := acct.Actor()
	if opts.CallerUnknown {
		actor.ID, actor.Email = "", "" // rule 5 cannot be checked; the account does
	}
	if !opts.KeepKeys {
		if d := rbac.Decide(rbac.Request{Actor: actor, Action: rbac.ReadAPIKeys}); !d.Allowed {
			p.add(0, "", "%s, so offboarding cannot find the leavers' API keys; use a key that holds it, "+
				"or pass --keep-keys to leave keys alone", d.Reason)
			return p.list
		}
	}
	owners := acct.ActiveOwners()
	for i := range plan.Steps {
		s := &plan.Steps[i]
		if s.Action != ActionOffboard {
			continue
		}
		target := acct.Roles.Subject(*s.Target)
		var actions []rbac.Action
		if s.Target.Active() {
			actions = append(actions, rbac.DeleteAgent)
		} else {
			actions = append(actions, rbac.SignOutAgent)
		}
		if s.KeysToRevoke() > 0 {
			actions = append(actions, rbac.RevokeAPIKey)
		}
		for _, act := range actions {
			d := rbac.Decide(rbac.Request{Actor: actor, Action: act, Target: &target, ActiveOwners: owners})
			if !d.Allowed {
				p.add(s.Record.Line, "", "%s: %s", s.Record.Ref(), d.Reason)
				break
			}
		}
		if s.Target.Active() && target.Role.IsOwner() {
			owners-- // the next owner of the batch must still leave one
		}
	}
	return p.list.Sorted()
}

// OffboardAPI is the part of the client that offboard steps use;
// *liveagent.Client has it (through the CLI's adapter).
type OffboardAPI interface {
	LogoutAgent(ctx context.Context, agentID string) error
	RevokeAPIKey(ctx context.Context, keyID string) error
	DeleteAgent(ctx context.Context, id string) error
	GetAgent(ctx context.Context, id string) (*liveagent.Agent, error)
}

// OpResult is how one operation ended.
type OpResult struct {
	Op      Op
	Outcome Outcome
	Err     error
	// Note says why a success sent nothing new ("already": an earlier
	// attempt or someone else did it).
	Note string
}

// noteAlready marks an operation found done already (a revoked key gone, an
// agent deleted by a lost earlier attempt); summaries do not count it.
const noteAlready = "already done"

// runOps applies an offboard step's operations in order and stops at the
// first that fails or whose outcome stays unknown: the rest are reported
// not attempted, and a re-run picks them up (it plans from what is left).
// The error is the first failure's.
func runOps(ctx context.Context, api OffboardAPI, ops []Op, opts ApplyOptions) ([]OpResult, error) {
	out := make([]OpResult, len(ops))
	var first error
	for i, o := range ops {
		out[i].Op = o
		if first != nil {
			out[i].Outcome = OutcomeNotAttempted
			continue
		}
		note, err := runOp(ctx, api, o, opts)
		out[i].Note = note
		switch {
		case err == nil:
			out[i].Outcome = OutcomeOK
		case liveagent.IsUncertain(err) || (errors.Is(err, context.Canceled) && ctx.Err() != nil):
			out[i].Outcome, out[i].Err = OutcomeUnknown, err
			first = fmt.Errorf("%s: %w", o, err)
		default:
			out[i].Outcome, out[i].Err = OutcomeFailed, err
			first = fmt.Errorf("%s: %w", o, err)
		}
	}
	return out, first
}

// runOp sends one operation. Each is idempotent, so an answer lost on the
// way back is resolved by trying again (sign-out) or by finding the work
// done (a key already gone, an agent already deleted).
func runOp(ctx context.Context, api OffboardAPI, o Op, opts ApplyOptions) (note string, err error) {
	// The journal records each operation with the agent as the plan read it.
	before := liveagent.Before{Op: string(o.Kind), Target: o.Email}
	switch o.Kind {
	case OpDelete:
		state := o.Target
		before.State = &state
	case OpRevokeKey:
		before.Target = o.KeyID + keyName(o.KeyName) + " of " + o.Email
	}
	ctx = liveagent.WithBefore(ctx, before)
	switch o.Kind {
	case OpSignOut:
		for attempt := 1; ; attempt++ {
			err = api.LogoutAgent(ctx, o.AgentID)
			if err == nil || !liveagent.IsUncertain(err) || attempt >= opts.MaxAttempts || ctx.Err() != nil {
				return "", err
			}
			if serr := sleepCtx(ctx, jitter(opts.RetryBase, attempt)); serr != nil {
				return "", err
			}
		}
	case OpRevokeKey:
		err = api.RevokeAPIKey(ctx, o.KeyID)
		if liveagent.KindOf(err) == liveagent.KindNotFound {
			return noteAlready, nil // revoked by an earlier attempt or by someone else
		}
		return "", err
	case OpDelete:
		err = api.DeleteAgent(ctx, o.AgentID)
		if err != nil && (liveagent.KindOf(err) == liveagent.KindNotFound || liveagent.IsUncertain(err)) {
			if cur, gerr := api.GetAgent(ctx, o.AgentID); gerr == nil && !cur.Active() {
				return noteAlready, nil
			}
		}
		return "", err
	}
	return "", fmt.Errorf("unknown operation %q", o.Kind)
}

// OffboardReportColumns are the fixed columns of an offboarding --report;
// the input's other columns follow them.
var OffboardReportColumns = []string{"line", "email", "agent_id", "action", "outcome", "sign_out", "revoke_keys", "delete", "error"}

// NewOffboardReportWriter writes --report for offboarding: a row per agent
// with each operation's outcome, then the input's own other columns (an HR
// export's employee number, manager, last day ...), carried as read.
func NewOffboardReportWriter(w io.Writer, f *File) *ReportWriter {
	var extra []int
	for i, c := range f.Columns {
		switch strings.ToLower(strings.TrimSpace(c)) {
		case ColEmail, ColID, "ref", "":
		default:
			extra = append(extra, i)
		}
	}
	header := slices.Clone(OffboardReportColumns)
	for _, i := range extra {
		header = append(header, f.Columns[i])
	}
	rw := &ReportWriter{w: csv.NewWriter(w)}
	rw.row = func(r Result) []string {
		row := OffboardRow(r)
		rec := []string{strconv.Itoa(row.Line), row.Email, row.AgentID, string(row.Action), string(row.Outcome),
			row.SignOut, row.RevokeKeys, row.Delete, row.Error}
		for _, i := range extra {
			v := ""
			if i < len(r.Step.Record.Raw) {
				v = r.Step.Record.Raw[i]
			}
			rec = append(rec, v)
		}
		return rec
	}
	rw.write(header)
	return rw
}

// OffboardResult is one agent's offboarding for people and programs (-o
// json, --report): each operation's outcome in words.
type OffboardResult struct {
	Line       int     `json:"line"`
	Email      string  `json:"email"`
	AgentID    string  `json:"agent_id"`
	Action     Action  `json:"action"`
	Outcome    Outcome `json:"outcome"`
	SignOut    string  `json:"sign_out"`
	RevokeKeys string  `json:"revoke_keys"`
	Delete     string  `json:"delete"`
	Error      string  `json:"error"`
}

// OffboardRow describes one result (a dry run's Planned result too).
func OffboardRow(r Result) OffboardResult {
	s := r.Step
	row := OffboardResult{Line: s.Record.Line, Email: s.Record.Ref(), AgentID: r.AgentID, Action: s.Action, Outcome: r.Outcome}
	if r.Err != nil {
		row.Error = oneLine(r.Err.Error())
	}
	if s.Action != ActionOffboard {
		row.SignOut, row.RevokeKeys, row.Delete = "skipped", "skipped", "skipped"
		if row.Error == "" {
			row.Error = s.Details
		}
		return row
	}
	ops := r.Ops
	if ops == nil { // planned, or never attempted
		for _, o := range s.Ops() {
			ops = append(ops, OpResult{Op: o, Outcome: r.Outcome})
		}
	}
	var signOut, del []string
	var revoked []string
	revokeOutcome := OutcomeOK
	for _, o := range ops {
		word := string(o.Outcome)
		if o.Note != "" {
			word = "ok (" + o.Note + ")"
		}
		switch o.Op.Kind {
		case OpSignOut:
			signOut = append(signOut, word)
		case OpDelete:
			del = append(del, word)
		case OpRevokeKey:
			k := o.Op.KeyID
			if o.Outcome != OutcomeOK {
				k += " " + string(o.Outcome)
				if revokeOutcome == OutcomeOK {
					revokeOutcome = o.Outcome
				}
			} else if o.Note != "" {
				k += " (" + o.Note + ")"
			}
			revoked = append(revoked, k)
		}
	}
	row.SignOut = strings.Join(signOut, "")
	row.Delete = strings.Join(del, "")
	if row.Delete == "" {
		row.Delete = "already deleted"
	}
	switch {
	case len(revoked) > 0:
		row.RevokeKeys = string(revokeOutcome) + ": " + strings.Join(revoked, "; ")
	case len(s.Kept()) == 0:
		row.RevokeKeys = "no keys"
	}
	for _, k := range s.Kept() {
		if row.RevokeKeys != "" {
			row.RevokeKeys += "; "
		}
		row.RevokeKeys += fmt.Sprintf("kept %s (%s)", k.Key.ID, k.Reason)
	}
	return row
}

// KeysOf keeps what a plan needs of the account's API keys.
func KeysOf(keys []liveagent.APIKey) []Key {
	out := make([]Key, len(keys))
	for i, k := range keys {
		out[i] = Key{ID: k.ID.String(), Name: k.Name, UserID: k.UserID}
	}
	return out
}
