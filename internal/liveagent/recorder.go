package liveagent

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// Change is one write request the client is about to send, as the journal
// sees it: what, on which object, and the object as it was before (when the
// command told the client, see WithBefore).
type Change struct {
	// Account is the account URL; Caller the email behind the key, when known.
	Account string
	Caller  string
	Method  string
	Path    string
	// Op names the operation: create, update, delete, restore, role-create ...
	Op string
	// Kind is the kind of object: agent, role, apikey, session.
	Kind string
	// TargetID is the object's id when the path names it.
	TargetID string
	// Target names the object for people (an email, a role name).
	Target string
	// Before is the object before the request (nil when unknown or new).
	Before any
	// Body is the request body (never a key: write bodies carry none).
	Body any
}

// Recorder is told about every write request before it goes out and about
// its outcome after: the journal. Before must not return until the intent
// is durable; an error from Before stops the request (nothing is sent).
type Recorder interface {
	Before(ctx context.Context, ch Change) (after func(result any, err error), err error)
}

// beforeKey carries what a command knows of a write's target.
type beforeKey struct{}

// Before is what a command knows of a write's target before sending it.
type Before struct {
	// Op overrides the operation name (set-role rather than update).
	Op string
	// Target names the object for people.
	Target string
	// State is the object before the request (an AgentState, a Role).
	State any
}

// WithBefore tells the recorder what the next write's target looked like, so
// the journal holds the state before and undo can go back to it.
func WithBefore(ctx context.Context, b Before) context.Context {
	return context.WithValue(ctx, beforeKey{}, b)
}

func beforeOf(ctx context.Context) (Before, bool) {
	b, ok := ctx.Value(beforeKey{}).(Before)
	return b, ok
}

// AgentState is what the journal and saved plans keep of an agent: the fields
// that a step reads or changes. Departments is nil when not known.
type AgentState struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	Name        string    `json:"name"`
	Role        string    `json:"role"`
	RoleID      string    `json:"role_id,omitempty"`
	Status      string    `json:"status"`
	Gender      string    `json:"gender,omitempty"`
	Departments *[]string `json:"departments,omitempty"`
}

// StateOf is the state of an agent; depts (may be nil: unknown) are its department ids.
func StateOf(a Agent, depts []string) *AgentState {
	s := &AgentState{ID: a.ID, Email: a.Email, Name: a.Name, Role: a.Role, RoleID: a.RoleID,
		Status: a.Status, Gender: a.Gender}
	if depts != nil {
		d := slices.Clone(depts)
		slices.Sort(d)
		s.Departments = &d
	}
	return s
}

// Active reports whether the state is of an active agent.
func (s *AgentState) Active() bool { return s != nil && s.Status != StatusDeleted }

// Diff lists what differs between two states of one agent, for people:
// `role agent -> admin`. Departments count only when both sides know them.
func (s *AgentState) Diff(o *AgentState) []string {
	switch {
	case s == nil && o == nil:
		return nil
	case s == nil:
		return []string{"did not exist, now exists"}
	case o == nil:
		return []string{"no longer exists"}
	}
	var out []string
	add := func(field, a, b string) {
		if a != b {
			out = append(out, field+" "+orDash(a)+" -> "+orDash(b))
		}
	}
	add("status", statusWord(s.Status), statusWord(o.Status))
	add("email", s.Email, o.Email)
	add("name", s.Name, o.Name)
	add("role", s.Role, o.Role)
	add("role_id", s.RoleID, o.RoleID)
	if s.Departments != nil && o.Departments != nil && !slices.Equal(*s.Departments, *o.Departments) {
		add("departments", strings.Join(*s.Departments, ";"), strings.Join(*o.Departments, ";"))
	}
	return out
}

func statusWord(code string) string {
	switch code {
	case StatusActive, "":
		return "active"
	case StatusDeleted:
		return "deleted"
	}
	return code
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// describe says what a write request is, from its method and path.
func describe(method, path string) (op, kind, id string) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) == 0 {
		return strings.ToLower(method), "", ""
	}
	kind = strings.TrimSuffix(parts[0], "s")
	if len(parts) > 1 {
		id = parts[1]
	}
	switch {
	case path == PathAgentUndelete:
		return "restore", "agent", ""
	case len(parts) > 2 && parts[2] == "_logout":
		return "sign-out", kind, id
	case kind == "apikey" && method == http.MethodDelete && id != "":
		return "revoke-key", kind, id
	case len(parts) > 2 && strings.HasPrefix(parts[2], "_"):
		return strings.TrimPrefix(parts[2], "_"), kind, id
	case len(parts) == 2 && strings.HasPrefix(parts[1], "_"):
		return strings.TrimPrefix(parts[1], "_"), kind, "" // apikeys/_login
	}
	switch method {
	case http.MethodPost:
		op = "create"
	case http.MethodPut, http.MethodPatch:
		op = "update"
	case http.MethodDelete:
		op = "delete"
	default:
		op = strings.ToLower(method)
	}
	return op, kind, id
}

// recorded wraps a write request with the recorder: intent first, outcome after.
func (c *Client) recorded(ctx context.Context, cl call, send func() error) error {
	rec := c.recorder
	if rec == nil || cl.method == http.MethodGet || cl.method == http.MethodHead {
		return send()
	}
	op, kind, id := describe(cl.method, cl.path)
	ch := Change{Account: c.base, Caller: c.Caller(), Method: cl.method, Path: cl.path, Op: op, Kind: kind, TargetID: id, Body: cl.body}
	if b, ok := beforeOf(ctx); ok {
		if b.Op != "" {
			ch.Op = b.Op
		}
		ch.Target, ch.Before = b.Target, b.State
	}
	if ch.Target == "" {
		ch.Target = targetName(cl.body, id)
	}
	after, err := rec.Before(ctx, ch)
	if err != nil {
		return &Error{Kind: KindInvalid, Method: cl.method, Path: cl.path,
			Message: "nothing was sent: " + err.Error(), Err: err}
	}
	err = send()
	after(cl.result, err)
	return err
}

func targetName(body any, id string) string {
	switch b := body.(type) {
	case AgentCreate:
		return b.Email
	case Agent:
		if b.Email != "" {
			return b.Email
		}
		return b.ID
	case RoleCreate:
		return b.Name
	}
	return id
}

// caller remembers who the key belongs to, once Me has been read.
type caller struct {
	mu    sync.Mutex
	email string
	id    string
}

func (c *caller) set(a *Agent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.email, c.id = a.Email, a.ID
}

// Caller is the email of the agent behind the key, once a command has read
// it (most do, for the rules); empty before.
func (c *Client) Caller() string {
	c.who.mu.Lock()
	defer c.who.mu.Unlock()
	return c.who.email
}
