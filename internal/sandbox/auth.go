package sandbox

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
)

// apiHandler serves one authenticated API request. caller is the agent behind
// the key as read when the request arrived; mutations re-read it inside their
// transaction (see actorIn), since it may have changed meanwhile.
type apiHandler func(w http.ResponseWriter, r *http.Request, caller member) error

// apikeyHeader is the header carrying the key (spec/api.md: never in the URL).
const apikeyHeader = "apikey"

// authed authenticates the request (401 for a missing or unknown key, or the
// key of a deleted agent), runs h, and writes the error h returns, if any.
func (s *Server) authed(h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, err := s.authenticate(r.Context(), s.pool(), r.Header.Get(apikeyHeader), r.RemoteAddr)
		if err == nil {
			err = h(w, r, caller)
		}
		if err != nil {
			if ae, isAPI := err.(*apiError); !isAPI || ae.status >= 500 {
				level := slog.LevelError
				if errors.Is(err, context.Canceled) {
					level = slog.LevelDebug // the client went away
				}
				s.log.LogAttrs(r.Context(), level, "request failed", slog.String("error", err.Error()),
					slog.String("method", r.Method), slog.String("path", r.URL.Path))
			}
			writeError(w, err)
		}
	})
}

// authenticate resolves an API key to its active agent, enforcing the key's
// valid_to_date and whitelist for a request from remote.
func (s *Server) authenticate(ctx context.Context, q querier, key, remote string) (member, error) {
	if key == "" {
		return member{}, errorf(http.StatusUnauthorized, "missing API key: send it in the %q header", apikeyHeader)
	}
	a, use, found, err := agentByKey(ctx, q, key)
	if err != nil {
		return member{}, err
	}
	if !found {
		return member{}, errorf(http.StatusUnauthorized, "invalid API key")
	}
	if err := checkKeyUse(use, remote, time.Now()); err != nil {
		return member{}, err
	}
	if a.Status == liveagent.StatusDeleted {
		return member{}, errorf(http.StatusUnauthorized, "invalid API key: its agent %s is deleted", a.Email)
	}
	return withRole(ctx, q, a)
}

// actorIn re-reads the caller inside a write transaction, so the rule check
// sees the actor's role as it is when the change is made (another request
// may have demoted or deleted it since the request arrived).
func actorIn(ctx context.Context, tx querier, caller member) (member, error) {
	m, found, err := loadMember(ctx, tx, caller.ID)
	if err != nil {
		return member{}, err
	}
	if !found || m.Status == liveagent.StatusDeleted {
		return member{}, errorf(http.StatusUnauthorized, "invalid API key: its agent %s is deleted", caller.Email)
	}
	return m, nil
}

// requireRead is the check of every read of agents and departments.
func requireRead(caller member) error {
	return decide(rbac.Request{Actor: caller.subject(), Action: rbac.ReadAgents})
}

// decide runs the rules; a denial becomes a 403 with the rule's own sentence.
func decide(req rbac.Request) error {
	if d := rbac.Decide(req); !d.Allowed {
		return forbidden(d.Reason)
	}
	return nil
}
