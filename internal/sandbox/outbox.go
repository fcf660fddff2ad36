package sandbox

import (
	"crypto/rand"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// Invitation is one entry of GET /_sandbox/outbox: the email the real service
// would have sent. Kind is "invitation" (a new agent's login details) or
// "two_factor" (two-factor turned on: TOTPSecret is the secret its QR code
// would carry, from which the current code can be computed).
type Invitation struct {
	ID                int64  `json:"id"`
	Kind              string `json:"kind"`
	AgentID           string `json:"agent_id"`
	Email             string `json:"email"`
	Name              string `json:"name"`
	LoginURL          string `json:"login_url"`
	TemporaryPassword string `json:"temporary_password"`
	CreatedAt         string `json:"created_at"`
	TOTPSecret        string `json:"totp_secret,omitempty"`
}

// OutboxPath is the sandbox-only mailbox of invitations, served both at the
// root and under /api/v3 (so a client that only knows its base URL finds it).
const OutboxPath = "/_sandbox/outbox"

// handleOutbox lists invitations, oldest first; ?email= narrows to one
// recipient (case-insensitive). It needs no key, since it is the local test
// mailbox, but it holds every invitee's login details: it answers only
// clients on a loopback address, so a sandbox listening on 0.0.0.0 does not
// hand them to the network.
func (s *Server) handleOutbox(w http.ResponseWriter, r *http.Request) {
	if !isLoopbackClient(r) {
		writeError(w, errorf(http.StatusForbidden, "the outbox answers only local clients"))
		return
	}
	query := "SELECT id, kind, agent_id, email, name, login_url, temporary_password, created_at, totp_secret FROM outbox"
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
		if err := rows.Scan(&inv.ID, &inv.Kind, &inv.AgentID, &inv.Email, &inv.Name, &inv.LoginURL,
			&inv.TemporaryPassword, &inv.CreatedAt, &inv.TOTPSecret); err != nil {
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

// isLoopbackClient reports whether the request came from a loopback address
// (127.0.0.0/8, ::1, or ::ffff:127.x.x.x). The connection's own address is
// what counts: headers such as X-Forwarded-For are set by the client and
// prove nothing. An address that does not parse is not local.
func isLoopbackClient(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Unmap().IsLoopback()
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
