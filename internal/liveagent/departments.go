package liveagent

import (
	"context"
	"strings"
)

// DepartmentIndex is the account's departments, looked up by id or name, and
// which departments each agent is in (the published API keeps membership on
// Department.agent_ids, not on the Agent).
type DepartmentIndex struct {
	list    []Department
	byKey   map[string]int      // lowercased id, then name: an id wins over an equal name
	ofAgent map[string][]string // agent id -> department ids, in the account's order
}

// NewDepartmentIndex indexes departments.
func NewDepartmentIndex(ds []Department) *DepartmentIndex {
	ix := &DepartmentIndex{list: ds, byKey: map[string]int{}, ofAgent: map[string][]string{}}
	for i, d := range ds {
		ix.byKey[strings.ToLower(d.DepartmentID)] = i
		for _, id := range d.AgentIDs {
			ix.ofAgent[id] = append(ix.ofAgent[id], d.DepartmentID)
		}
	}
	for i, d := range ds {
		if _, taken := ix.byKey[strings.ToLower(d.Name)]; !taken {
			ix.byKey[strings.ToLower(d.Name)] = i
		}
	}
	return ix
}

// Departments fetches the account's departments.
func (c *Client) Departments(ctx context.Context) (*DepartmentIndex, error) {
	ds, err := c.ListDepartments(ctx)
	if err != nil {
		return nil, err
	}
	return NewDepartmentIndex(ds), nil
}

// Lookup finds a department by id or name, case-insensitively.
func (ix *DepartmentIndex) Lookup(ref string) (Department, bool) {
	i, ok := ix.byKey[strings.ToLower(strings.TrimSpace(ref))]
	if !ok {
		return Department{}, false
	}
	return ix.list[i], true
}

// List returns the departments in the account's order.
func (ix *DepartmentIndex) List() []Department { return ix.list }

// Names lists every department name, for suggestions and messages.
func (ix *DepartmentIndex) Names() []string {
	names := make([]string, len(ix.list))
	for i, d := range ix.list {
		names[i] = d.Name
	}
	return names
}

// IDsOf returns the ids of the departments an agent is in.
func (ix *DepartmentIndex) IDsOf(agentID string) []string {
	return append([]string(nil), ix.ofAgent[agentID]...)
}

// NamesOf returns the names of department ids, in the account's order.
func (ix *DepartmentIndex) NamesOf(ids []string) []string {
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	var names []string
	for _, d := range ix.list {
		if want[d.DepartmentID] {
			names = append(names, d.Name)
		}
	}
	return names
}
