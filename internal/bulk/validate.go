package bulk

import (
	"fmt"
	"strings"

	"github.com/ladmin/ladmin/internal/liveagent"
	"github.com/ladmin/ladmin/internal/rbac"
	"github.com/ladmin/ladmin/internal/text"
)

func suggest(name string, candidates []string) string { return rbac.Suggest(name, candidates) }

// ValidateLocal checks what needs no account: emails, names, genders,
// statuses and duplicate emails. MakePlan runs it too; callers use it alone
// when the file is too broken to be worth a round trip.
func ValidateLocal(f *File) Problems {
	p := &problemList{file: f.Name}
	validateLocal(f, p)
	return p.list.Sorted()
}

func validateLocal(f *File, p *problemList) (ok []bool) {
	ok = make([]bool, len(f.Records))
	firstLine := map[string]int{}
	for i := range f.Records {
		r := &f.Records[i]
		if r.broken {
			continue
		}
		good := true
		check := func(column string, err error) {
			if err != nil && !r.reported[column] {
				p.add(r.Line, column, "%s", err.Error())
				good = false
			}
		}
		check(ColEmail, checkEmail(r.Email))
		if r.Email != "" {
			key := strings.ToLower(r.Email)
			if first, dup := firstLine[key]; dup {
				p.add(r.Line, ColEmail, "duplicate email %q: line %d has it too; each agent must appear once", r.Email, first)
				good = false
			} else {
				firstLine[key] = r.Line
			}
		}
		if r.Name != "" {
			check(ColName, checkName(r.Name))
		}
		if r.Gender != "" {
			g, err := normalizeGender(r.Gender)
			check(ColGender, err)
			if err == nil {
				r.Gender = g
			}
		}
		if r.Status != "" {
			s, err := normalizeStatus(r.Status)
			check(ColStatus, err)
			if err == nil {
				r.Status = s
			}
		}
		if r.reported[ColRole] || r.reported[ColDepartments] || r.reported[ColName] || r.reported[ColGender] ||
			r.reported[ColEmail] || r.reported[ColStatus] {
			good = false
		}
		ok[i] = good
	}
	return ok
}

// checkEmail accepts a bare address with a dotted domain, as the API does.
func checkEmail(email string) error {
	if email == "" {
		return fmt.Errorf("missing email: every row needs one")
	}
	if !liveagent.ValidEmail(email) {
		return fmt.Errorf("invalid email %q: expected an address such as ana@acme.com", email)
	}
	return nil
}

// checkName applies the API's rules for names (liveagent.NameProblem): a
// line break inside a quoted CSV field, say.
func checkName(name string) error {
	if p := liveagent.NameProblem(name); p != "" {
		return fmt.Errorf("the name %q %s", text.Truncate(name, 40), p)
	}
	return nil
}

func normalizeGender(g string) (string, error) {
	u := strings.ToUpper(strings.TrimSpace(g))
	for _, ok := range liveagent.Genders {
		if u == ok {
			return u, nil
		}
	}
	return "", fmt.Errorf("invalid gender %q: use M, F or X (unspecified)", g)
}

func normalizeStatus(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "a", "active":
		return liveagent.StatusActive, nil
	case "x", "deleted":
		return liveagent.StatusDeleted, nil
	}
	return "", fmt.Errorf("invalid status %q: use A (active) or X (deleted), as `agent export` writes", s)
}

// resolveRole finds a role by name or id, suggesting the nearest on a typo.
func resolveRole(acct *Account, name string) (liveagent.Role, error) {
	if r, ok := acct.Roles.Lookup(name); ok {
		return r, nil
	}
	names := acct.Roles.Names()
	if s := suggest(name, names); s != "" {
		return liveagent.Role{}, fmt.Errorf("unknown role %q (did you mean %q?)", name, s)
	}
	return liveagent.Role{}, fmt.Errorf("unknown role %q (roles: %s)", name, strings.Join(names, ", "))
}

// resolveDepartments maps names or ids to sorted, distinct ids; each unknown
// one is its own problem.
func resolveDepartments(acct *Account, refs []string) (ids []string, errs []error) {
	seen := map[string]bool{}
	for _, ref := range refs {
		d, ok := acct.Department(ref)
		if !ok {
			msg := fmt.Sprintf("unknown department %q", ref)
			if s := suggest(ref, acct.depts.Names()); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else if names := acct.depts.Names(); len(names) > 0 {
				msg += " (departments: " + strings.Join(names, ", ") + ")"
			} else {
				msg += " (the account has no departments)"
			}
			errs = append(errs, fmt.Errorf("%s", msg))
			continue
		}
		if !seen[d.DepartmentID] {
			seen[d.DepartmentID] = true
			ids = append(ids, d.DepartmentID)
		}
	}
	sortStrings(ids)
	return ids, errs
}
