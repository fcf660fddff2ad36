package sandbox

import (
	"crypto/rand"
	"net/http"
	"net/url"
	"strings"
)

// Invitation is one entry of GET /_sandbox/outbox: the email the real service
// would have sent to a new agent.
type Invitation struct {
	ID                int64  `json:"id"`
	AgentID           string `json:"agent_id"`
	Email             string `json:"email"`
	Name              string `json:"name"`
	LoginURL          string `json:"login_url"`
	TemporaryPassword string `json:"temporary_password"`
	CreatedAt         string `json:"created_at"`
}

// OutboxPath is the sandbox-only mailbox of invitations, served both at the
// root and under /api/v3 (so a client that only knows its base URL finds it).
const OutboxPath = "/_sandbox/outbox"

// handleOutbox lists invitations, oldest first; ?email= narrows to one
// recipient (case-insensitive). It needs no key: it is the local test mailbox.
func (s *Server) handleOutbox(w http.ResponseWriter, r *http.Request) {
	query := "SELECT id, agent_id, email, name, login_url, temporary_password, created_at FROM outbox"
	var args []any
	if email := r.URL.Query().Get("email"); email != "" {
		query += " WHERE lower(email) = ?"
		args = append(args, strings.ToLower(email))
	}
	rows, err := s.db.QueryContext(r.Context(), query+" ORDER BY id", args...)
	if err != nil {
		writeError(w, err)
		return
	}
	defer rows.Close()
	out := []Invitation{}
	for rows.Next() {
		var inv Invitation
		if err := rows.Scan(&inv.ID, &inv.AgentID, &inv.Email, &inv.Name, &inv.LoginURL,
			&inv.TemporaryPassword, &inv.CreatedAt); err != nil {
			writeError(w, err)
			return
		}
		out = append(out, inv)
	}
	if err := rows.Err(); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// loginURL is the agent panel address the invitation points to, on the host
// the request came in on (the sandbox serves no panel; it is only data).
func loginURL(r *http.Request, email string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/agent/login?email=" + url.QueryEscape(email)
}

// temporaryPassword is a random 16-character password without look-alike
// characters, as an invitation email would carry.
func temporaryPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
