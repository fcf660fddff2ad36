package journal

import (
	"context"
	"encoding/json"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// Recorder journals every write request of one run; it is the client's
// liveagent.Recorder, so no command can send a change without it.
type Recorder struct {
	W       *Writer
	Run     string
	Account string
	Profile string
	Command string
	// Caller is who the key belongs to, once known.
	Caller string
	// Now is the clock (tests).
	Now func() time.Time

	step atomic.Int64
}

// NewRecorder starts a run on w. The account and caller may be left empty:
// each change then says them.
func NewRecorder(w *Writer, account, profile, command string) *Recorder {
	return &Recorder{W: w, Run: NewRunID(time.Now()), Account: RedactURL(account), Profile: profile,
		Command: command, Now: time.Now}
}

// RedactURL drops any user:password@ from an account URL.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = nil
	return u.String()
}

// Steps is how many write requests the run has journaled.
func (r *Recorder) Steps() int { return int(r.step.Load()) }

func (r *Recorder) base(typ string, step int, ch liveagent.Change) Record {
	rec := Record{Type: typ, Run: r.Run, Step: step, Time: r.Now().UTC(), Account: r.Account,
		Profile: r.Profile, Command: r.Command, Caller: r.Caller}
	if ch.Account != "" {
		rec.Account = RedactURL(ch.Account)
	}
	if ch.Caller != "" {
		rec.Caller = ch.Caller
	}
	return rec
}

// Before writes the intent and waits until it is on disk.
func (r *Recorder) Before(ctx context.Context, ch liveagent.Change) (func(any, error), error) {
	step := int(r.step.Add(1))
	intent := r.base(TypeIntent, step, ch)
	intent.Op, intent.Kind, intent.Target, intent.TargetID = ch.Op, ch.Kind, ch.Target, ch.TargetID
	intent.Before = marshal(ch.Before)
	if err := r.W.Append(true, intent); err != nil {
		return nil, err
	}
	return func(result any, err error) {
		out := r.base(TypeOutcome, step, ch)
		out.Op, out.Kind, out.Target = ch.Op, ch.Kind, ch.Target
		after, id := afterState(ch, result, err)
		out.After, out.TargetID = marshal(after), id
		switch {
		case err == nil:
			out.Outcome = OutcomeOK
		case liveagent.IsUncertain(err) || ctx.Err() != nil:
			out.Outcome, out.Error = OutcomeUnknown, err.Error()
		default:
			out.Outcome, out.Error = OutcomeFailed, err.Error()
		}
		// Not waited for: outcomes ride on the next group sync, or Close.
		_ = r.W.Append(false, out)
	}, nil
}

// afterState is the target as the request left it, as far as the answer tells.
func afterState(ch liveagent.Change, result any, err error) (any, string) {
	if err != nil {
		return nil, ""
	}
	before, _ := ch.Before.(*liveagent.AgentState)
	switch res := result.(type) {
	case *liveagent.Agent:
		if res == nil || res.ID == "" {
			break
		}
		var depts []string
		switch body := ch.Body.(type) {
		case liveagent.AgentCreate:
			depts = body.Departments
			if depts == nil {
				depts = []string{}
			}
		case liveagent.AgentUpdate:
			if body.Departments != nil {
				depts = *body.Departments
			}
		}
		if depts == nil && before != nil && before.Departments != nil {
			depts = *before.Departments
		}
		return liveagent.StateOf(*res, depts), res.ID
	case *liveagent.Role:
		if res != nil && res.ID != "" {
			return res, res.ID
		}
	}
	if ch.Op == "delete" && before != nil {
		after := *before
		after.Status = liveagent.StatusDeleted
		return &after, before.ID
	}
	return nil, ch.TargetID
}

func marshal(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	switch x := v.(type) {
	case *liveagent.AgentState:
		if x == nil {
			return nil
		}
	case *liveagent.Role:
		if x == nil {
			return nil
		}
	}
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return nil
	}
	return b
}
