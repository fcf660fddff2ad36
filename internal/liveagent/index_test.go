package liveagent

import (
	"slices"
	"testing"
)

func TestDepartmentIndexLooksUpByIDOrNameAndAnIDWins(t *testing.T) {
	ix := NewDepartmentIndex([]Department{
		{DepartmentID: "d1", Name: "Support", AgentIDs: []string{"a1", "a2"}},
		{DepartmentID: "d2", Name: "d1", AgentIDs: []string{"a1"}}, // a name equal to another's id
		{DepartmentID: "d3", Name: "Sales", AgentIDs: []string{}},
	})
	for ref, want := range map[string]string{"d1": "d1", "SUPPORT": "d1", " sales ": "d3", "d2": "d2"} {
		if d, ok := ix.Lookup(ref); !ok || d.DepartmentID != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", ref, d.DepartmentID, ok, want)
		}
	}
	if _, ok := ix.Lookup("billing"); ok {
		t.Error("an unknown department was found")
	}
	if got := ix.IDsOf("a1"); !slices.Equal(got, []string{"d1", "d2"}) {
		t.Errorf("IDsOf(a1) = %v", got)
	}
	if got := ix.NamesOf([]string{"d3", "d1"}); !slices.Equal(got, []string{"Support", "Sales"}) {
		t.Errorf("NamesOf keeps the account's order: %v", got)
	}
}

func TestValidEmailIsTheAPIsRule(t *testing.T) {
	for _, ok := range []string{"ana@acme.com", "li.wei+help@mail.acme.example"} {
		if !ValidEmail(ok) {
			t.Errorf("ValidEmail(%q) = false", ok)
		}
	}
	long := string(make([]byte, 250)) + "@a.co"
	for _, bad := range []string{"", "ana", "ana@acme", "ana@acme.", "ana@.acme.com", "Ana <ana@acme.com>", long} {
		if ValidEmail(bad) {
			t.Errorf("ValidEmail(%q) = true", bad)
		}
	}
}

func TestRoleIndexIsOwner(t *testing.T) {
	ix := NewRoleIndex([]Role{{ID: "r_lite", Name: "owner-lite", Base: "owner", Permissions: []string{"tickets.own"}}})
	for _, tc := range []struct {
		a    Agent
		want bool
	}{
		{Agent{Role: "owner", Status: StatusActive}, true},
		{Agent{Role: "owner", Status: StatusDeleted}, false},
		{Agent{Role: "owner", RoleID: "r_lite", Status: StatusActive}, false}, // no billing.manage
		{Agent{Role: "admin", Status: StatusActive}, false},
	} {
		if got := ix.IsOwner(tc.a); got != tc.want {
			t.Errorf("IsOwner(%+v) = %v", tc.a, got)
		}
	}
}
