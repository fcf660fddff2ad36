package audit

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/text"
)

// Finding ids of the api_keys checks.
const (
	RuleAPIKeysOrphaned    = "api_keys.orphaned"
	RuleAPIKeysNoExpiry    = "api_keys.no_expiry"
	RuleAPIKeysValidity    = "api_keys.validity"
	RuleAPIKeysNoWhitelist = "api_keys.no_whitelist"
)

func init() {
	for id, c := range map[string]struct {
		severity    Severity
		description string
	}{
		RuleAPIKeysOrphaned:    {SeverityError, "No API key belongs to a deleted or unknown agent."},
		RuleAPIKeysNoExpiry:    {SeverityWarning, "Every API key has an expiry date."},
		RuleAPIKeysValidity:    {SeverityError, "No API key stays valid longer than the policy's maximum from today."},
		RuleAPIKeysNoWhitelist: {SeverityWarning, "Every API key is limited to a whitelist of addresses, not usable from anywhere."},
	} {
		builtinChecks[id] = c
	}
}

// APIKeyPolicy is the api_keys: section. A nil field is a check not asked for.
type APIKeyPolicy struct {
	Line             int
	Orphaned         *SeverityAt // orphaned: error|warning
	RequireExpiry    *SeverityAt // require_expiry: error|warning
	MaxValidityDays  *Bound      // max_validity_days: N (its findings are errors)
	RequireWhitelist *SeverityAt // require_whitelist: error|warning
}

// SeverityAt is a severity the policy sets, and its line.
type SeverityAt struct {
	Severity Severity
	Line     int
}

var apiKeysKeys = []string{"orphaned", "require_expiry", "max_validity_days", "require_whitelist"}

// KeyRef names the API key a finding is about (never its secret).
type KeyRef struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	UserID string `json:"userid"`
}

func (p *parser) apiKeys(k, v *yaml.Node) *APIKeyPolicy {
	if v.Kind != yaml.MappingNode {
		p.add(v.Line, "api_keys: expected a mapping of %s, got %s", strings.Join(apiKeysKeys, ", "), kindName(v))
		return nil
	}
	ak := &APIKeyPolicy{Line: k.Line}
	before := len(p.found)
	p.mapping(v, "api_keys: ", apiKeysKeys, func(key string, kk, kv *yaml.Node) {
		where := "api_keys." + key
		if key == "max_validity_days" {
			n, ok := p.count(kv, where)
			if ok && n == 0 {
				p.add(kv.Line, "%s: expected a number of days of 1 or more, got 0", where)
				return
			}
			if ok {
				ak.MaxValidityDays = &Bound{N: n, Line: kk.Line}
			}
			return
		}
		sv, ok := p.str(kv, where)
		if !ok {
			return
		}
		if !contains(severityNames, sv) {
			p.add(kv.Line, "%s: %q is not a severity: use error or warning%s", where, sv, didYouMean(sv, severityNames))
			return
		}
		at := &SeverityAt{Severity: Severity(sv), Line: kk.Line}
		switch key {
		case "orphaned":
			ak.Orphaned = at
		case "require_expiry":
			ak.RequireExpiry = at
		case "require_whitelist":
			ak.RequireWhitelist = at
		}
	})
	if len(p.found) > before {
		return nil
	}
	if ak.Orphaned == nil && ak.RequireExpiry == nil && ak.MaxValidityDays == nil && ak.RequireWhitelist == nil {
		p.add(v.Line, "api_keys: set at least one of %s", strings.Join(apiKeysKeys, ", "))
		return nil
	}
	return ak
}

// UsesAPIKeys reports whether the policy checks API keys, so the caller
// knows it must read them (and may: apikeys.read).
func (pol *Policy) UsesAPIKeys() bool { return pol != nil && pol.APIKeys != nil }

// checkAPIKeys evaluates api_keys: each key breaks each rule at most once.
func (ev *evaluator) checkAPIKeys(pol *Policy) {
	ak := pol.APIKeys
	if ak == nil {
		return
	}
	loc := func(line int) Location { return Location{File: pol.File, Line: line} }
	now := ev.acct.Now
	if now.IsZero() {
		now = time.Now()
	}
	agents := map[string]*liveagent.Agent{}
	for i := range ev.acct.Agents {
		agents[ev.acct.Agents[i].ID] = &ev.acct.Agents[i]
	}
	if ak.Orphaned != nil {
		ev.addCheck(RuleAPIKeysOrphaned, ak.Orphaned.Severity, builtinChecks[RuleAPIKeysOrphaned].description, loc(ak.Orphaned.Line))
	}
	if ak.RequireExpiry != nil {
		ev.addCheck(RuleAPIKeysNoExpiry, ak.RequireExpiry.Severity, builtinChecks[RuleAPIKeysNoExpiry].description, loc(ak.RequireExpiry.Line))
	}
	if ak.MaxValidityDays != nil {
		ev.addCheck(RuleAPIKeysValidity, SeverityError,
			fmt.Sprintf("No API key stays valid more than %s from today.", text.Count(ak.MaxValidityDays.N, "day", "days")), loc(ak.MaxValidityDays.Line))
	}
	if ak.RequireWhitelist != nil {
		ev.addCheck(RuleAPIKeysNoWhitelist, ak.RequireWhitelist.Severity, builtinChecks[RuleAPIKeysNoWhitelist].description, loc(ak.RequireWhitelist.Line))
	}
	for _, k := range ev.acct.Keys {
		ref := &KeyRef{ID: k.ID.String(), Name: k.Name, UserID: k.UserID}
		owner := agents[k.UserID]
		var agent *AgentRef
		if owner != nil {
			agent = &AgentRef{ID: owner.ID, Email: owner.Email}
		}
		name := keyLabel(k, owner)
		add := func(rule string, sev Severity, line int, msg string) {
			ev.find(Finding{Rule: rule, Severity: sev, Agent: agent, Key: ref, Location: loc(line), key: ref.ID, Message: msg})
		}
		if ak.Orphaned != nil {
			switch {
			case owner == nil:
				add(RuleAPIKeysOrphaned, ak.Orphaned.Severity, ak.Orphaned.Line,
					fmt.Sprintf("%s belongs to an unknown agent (id %s); revoke it with `ladmin apikey revoke %s`.", name, k.UserID, ref.ID))
			case !owner.Active():
				add(RuleAPIKeysOrphaned, ak.Orphaned.Severity, ak.Orphaned.Line,
					fmt.Sprintf("%s belongs to the deleted agent %s; revoke it with `ladmin apikey revoke %s`.", name, owner.Email, ref.ID))
			}
		}
		expires, ok, err := k.ExpiresAt(ev.acct.Location)
		if err != nil {
			ok = false // an unreadable date cannot prove a limit: treat as none
		}
		if ok && !expires.After(now) {
			continue // expired: it no longer opens anything
		}
		if ak.RequireExpiry != nil && !ok {
			add(RuleAPIKeysNoExpiry, ak.RequireExpiry.Severity, ak.RequireExpiry.Line,
				fmt.Sprintf("%s never expires.", name))
		}
		if m := ak.MaxValidityDays; m != nil {
			limit := now.Add(time.Duration(m.N) * 24 * time.Hour)
			switch {
			case ok && expires.After(limit):
				add(RuleAPIKeysValidity, SeverityError, m.Line, fmt.Sprintf("%s is valid until %s, more than %s from today.",
					name, expires.Format("2006-01-02"), text.Count(m.N, "day", "days")))
			case !ok && ak.RequireExpiry == nil:
				// Without require_expiry, a key that never expires is the
				// longest validity of all; with it, it is reported there once.
				add(RuleAPIKeysValidity, SeverityError, m.Line, fmt.Sprintf("%s never expires, so it is valid more than %s from today.",
					name, text.Count(m.N, "day", "days")))
			}
		}
		if ak.RequireWhitelist != nil && anywhere(k.Whitelist) {
			add(RuleAPIKeysNoWhitelist, ak.RequireWhitelist.Severity, ak.RequireWhitelist.Line,
				fmt.Sprintf("%s is usable from any address (whitelist %q).", name, orStar(k.Whitelist)))
		}
	}
}

func keyLabel(k liveagent.APIKey, owner *liveagent.Agent) string {
	s := fmt.Sprintf("API key %s", k.ID)
	if k.Name != "" {
		s += fmt.Sprintf(" (%q)", k.Name)
	}
	if owner != nil && owner.Active() {
		s += " of " + owner.Email
	}
	return s
}

// anywhere reports whether a whitelist lets a key in from any address.
func anywhere(wl string) bool {
	if strings.TrimSpace(wl) == "" {
		return true // the API's default is *
	}
	for _, part := range strings.Split(wl, ",") {
		switch strings.TrimSpace(part) {
		case "*", "0.0.0.0/0", "::/0":
			return true
		}
	}
	return false
}

func orStar(wl string) string {
	if strings.TrimSpace(wl) == "" {
		return "*"
	}
	return wl
}
