package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ladmin/ladmin/internal/liveagent"
)

// listServer has 3 seeded + 57 generated agents, a few renamed so sorting
// and like filters have something to bite on, and 5 of them deleted.
func listServer(t *testing.T) (*testServer, []liveagent.Agent) {
	ts := newTestServer(t, Options{SeedAgents: 57})
	all := ts.list(OwnerKey, "_perPage", "1000")
	if len(all) != 60 {
		t.Fatalf("listed %d agents, want 60", len(all))
	}
	for i, name := range []string{"zoe_x", "Zoe Y", "adam", "Émile", "zoe%z"} {
		ts.must(200, OwnerKey, "PUT", liveagent.PathAgent(all[10+i].ID), map[string]any{"name": name})
	}
	for _, a := range all[50:55] {
		ts.must(200, OwnerKey, "DELETE", liveagent.PathAgent(a.ID), nil)
	}
	return ts, ts.list(OwnerKey, "_perPage", "1000")
}

func TestListPagingWalksEverythingOnce(t *testing.T) {
	ts, all := listServer(t)
	if len(all) != 55 {
		t.Fatalf("%d active agents, want 55", len(all))
	}
	// gender has long runs of ties: only the creation-order tie-breaker keeps
	// its pages apart.
	for _, sortField := range []string{"", "name", "gender"} {
		for _, dir := range []string{"ASC", "desc"} {
			full := ts.list(OwnerKey, "_perPage", "1000", "_sortField", sortField, "_sortDir", dir)
			for _, perPage := range []int{1, 7, 10, 55, 100} {
				if perPage == 1 && sortField != "" {
					continue // one walk of 55 single-agent pages is enough
				}
				t.Run(fmt.Sprintf("%s_%s_%d", sortField, dir, perPage), func(t *testing.T) {
					var walked []liveagent.Agent
					for page := 1; ; page++ {
						got := ts.list(OwnerKey, "_page", strconv.Itoa(page), "_perPage", strconv.Itoa(perPage),
							"_sortField", sortField, "_sortDir", dir)
						walked = append(walked, got...)
						if len(got) < perPage {
							break
						}
					}
					if !slices.Equal(ids(walked), ids(full)) {
						t.Errorf("pages of %d overlap or skip:\n%v\nwant\n%v", perPage, ids(walked), ids(full))
					}
				})
			}
		}
	}
}

func TestListDefaultsAndTotal(t *testing.T) {
	ts, all := listServer(t)
	r := ts.must(200, AgentKey, "GET", liveagent.PathAgents, nil)
	if got := decode[[]liveagent.Agent](t, r); !slices.Equal(ids(got), ids(all[:10])) {
		t.Errorf("default page is %v, want the first 10 in creation order", ids(got))
	}
	if r.header.Get("X-Total-Count") != "55" {
		t.Errorf("X-Total-Count %q, want 55", r.header.Get("X-Total-Count"))
	}
	r = ts.must(200, AgentKey, "GET", liveagent.PathAgents+query("_page", "99"), nil)
	if strings.TrimSpace(string(r.body)) != "[]" {
		t.Errorf("page past the end is %s, want []", r.body)
	}
}

func TestListWindow(t *testing.T) {
	ts, all := listServer(t)
	tests := []struct {
		params   []string
		from, to int
	}{
		{[]string{"_from", "0", "_to", "5"}, 0, 5},
		{[]string{"_from", "50", "_to", "60"}, 50, 55},
		{[]string{"_from", "3"}, 3, 13},
		{[]string{"_from", "3", "_perPage", "4"}, 3, 7},
		{[]string{"_to", "4"}, 0, 4},
		{[]string{"_from", "20", "_to", "30", "_page", "1"}, 20, 30},
		{[]string{"_from", "7", "_to", "7"}, 7, 7},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.params, "="), func(t *testing.T) {
			got := ts.list(OwnerKey, tt.params...)
			if want := all[tt.from:tt.to]; !slices.Equal(ids(got), ids(want)) {
				t.Errorf("got %v, want %v", ids(got), ids(want))
			}
		})
	}
}

func TestListSorting(t *testing.T) {
	ts, _ := listServer(t)
	for _, field := range []string{"name", "email", "id", "gender", "last_pswd_change"} {
		asc := ts.list(OwnerKey, "_perPage", "1000", "_sortField", field)
		desc := ts.list(OwnerKey, "_perPage", "1000", "_sortField", field, "_sortDir", "DESC")
		key := func(a liveagent.Agent) string {
			switch field {
			case "name":
				return a.Name
			case "email":
				return strings.ToLower(a.Email)
			case "id":
				return a.ID
			case "gender":
				return a.Gender
			}
			return a.LastPswdChange
		}
		if !slices.IsSortedFunc(asc, func(a, b liveagent.Agent) int { return strings.Compare(key(a), key(b)) }) {
			t.Errorf("ASC by %s is not sorted", field)
		}
		slices.Reverse(desc)
		if !slices.Equal(ids(asc), ids(desc)) {
			t.Errorf("DESC by %s is not ASC reversed", field)
		}
	}
}

func TestListFilters(t *testing.T) {
	ts, all := listServer(t)
	owner := all[0]
	tests := []struct {
		name    string
		filters string
		want    func(a liveagent.Agent) bool
	}{
		{"object equality", `{"role":"admin"}`, func(a liveagent.Agent) bool { return a.Role == "admin" && a.Status == "A" }},
		{"object, two fields", `{"role":"agent","gender":"F"}`, func(a liveagent.Agent) bool { return a.Role == "agent" && a.Gender == "F" && a.Status == "A" }},
		{"object, array means in", `{"gender":["M","F"]}`, func(a liveagent.Agent) bool { return a.Gender != "X" && a.Status == "A" }},
		{"=", `[["gender","=","M"]]`, func(a liveagent.Agent) bool { return a.Gender == "M" && a.Status == "A" }},
		{"!=", `[["role","!=","agent"]]`, func(a liveagent.Agent) bool { return a.Role != "agent" && a.Status == "A" }},
		{"like", `[["name","like","zoe%"]]`, func(a liveagent.Agent) bool {
			return strings.HasPrefix(strings.ToLower(a.Name), "zoe") && a.Status == "A"
		}},
		{"like, _ is literal", `[["name","like","zoe_%"]]`, func(a liveagent.Agent) bool { return a.Name == "zoe_x" }},
		{"LIKE operator in capitals", `[["email","LIKE","%00012%"]]`, func(a liveagent.Agent) bool { return strings.Contains(a.Email, "00012") && a.Status == "A" }},
		{"in", `[["email","in",["owner@example.com","AGENT@example.com"]]]`, func(a liveagent.Agent) bool { return a.Email == OwnerEmail || a.Email == AgentEmail }},
		{"in, empty", `[["id","in",[]]]`, func(a liveagent.Agent) bool { return false }},
		{"email is case-insensitive", `{"email":"Owner@Example.COM"}`, func(a liveagent.Agent) bool { return a.ID == owner.ID }},
		{"status shows deleted", `[["status","=","X"]]`, func(a liveagent.Agent) bool { return a.Status == "X" }},
		{"status in A, X", `[["status","in",["A","X"]]]`, func(a liveagent.Agent) bool { return true }},
		{"two conditions", `[["role","=","agent"],["name","like","%y"]]`, func(a liveagent.Agent) bool { return a.Name == "Zoe Y" }},
		{"role_id of built-ins is empty", `{"role_id":""}`, func(a liveagent.Agent) bool { return a.Status == "A" }},
		{"empty object", `{}`, func(a liveagent.Agent) bool { return a.Status == "A" }},
	}
	everyone := ts.allAgents()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []string
			for _, a := range everyone {
				if tt.want(a) {
					want = append(want, a.ID)
				}
			}
			got := ids(ts.list(OwnerKey, "_perPage", "1000", "_filters", tt.filters))
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("got %v\nwant %v", got, want)
			}
		})
	}
}

func TestListBadParameters(t *testing.T) {
	ts := newTestServer(t, Options{})
	tests := []struct {
		params  []string
		wantMsg string
	}{
		{[]string{"_perPage", "0"}, "_perPage"},
		{[]string{"_perPage", "1001"}, "_perPage"},
		{[]string{"_perPage", "ten"}, "_perPage"},
		{[]string{"_page", "0"}, "_page"},
		{[]string{"_sortDir", "UP"}, "_sortDir"},
		{[]string{"_sortField", "salary"}, `"salary" is not an agent field`},
		{[]string{"_from", "-1"}, "_from"},
		{[]string{"_from", "10", "_to", "5"}, "_to"},
		{[]string{"_from", "0", "_to", "1001"}, "longer than 1000"},
		{[]string{"_filters", `{"salary":"1"}`}, `"salary" is not an agent field`},
		{[]string{"_filters", `{"name":`}, "not valid JSON"},
		{[]string{"_filters", `"name"`}, "_filters"},
		{[]string{"_filters", `[["name","~","x"]]`}, `unknown operator "~"`},
		{[]string{"_filters", `[["name","="]]`}, "triple"},
		{[]string{"_filters", `[["name","in","x"]]`}, "array of strings"},
		{[]string{"_filters", `{"name":5}`}, "must be a string"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.params, "="), func(t *testing.T) {
			r := ts.do(OwnerKey, "GET", liveagent.PathAgents+query(tt.params...), nil)
			if r.status != http.StatusBadRequest || !contains(r.message(), tt.wantMsg) {
				t.Errorf("got %v, want 400 mentioning %q", r, tt.wantMsg)
			}
		})
	}
}

// TestListJSONMatchesTheModel checks the JSON SQLite builds for lists
// (agentJSON) against encoding/json of liveagent.Agent (single GET), with
// names that need escaping.
func TestListJSONMatchesTheModel(t *testing.T) {
	ts := newTestServer(t, Options{})
	for i, name := range []string{`Quote " and \ backslash`, "<b>&amp;</b>", "Zoë 😀 \u200d line", "tab\tinside", "line\u2028sep"} {
		r := ts.do(OwnerKey, "POST", liveagent.PathAgents, liveagent.AgentCreate{Name: name, Email: fmt.Sprintf("j%d@example.com", i)})
		if strings.ContainsAny(name, "\t\u2028") {
			if r.status != 422 {
				t.Errorf("a name with a control character or line separator: %v, want 422", r)
			}
			continue
		}
		if r.status != 201 {
			t.Fatalf("create %q: %v", name, r)
		}
	}
	ts.must(200, OwnerKey, "PUT", liveagent.PathAgent(ts.me(AdminKey).ID), map[string]any{"role_id": ""})

	r := ts.must(200, OwnerKey, "GET", liveagent.PathAgents+query("_perPage", "1000"), nil)
	listed := decode[[]liveagent.Agent](t, r)
	raw := decode[[]map[string]any](t, r)
	for i, a := range listed {
		single := decode[liveagent.Agent](t, ts.must(200, OwnerKey, "GET", liveagent.PathAgent(a.ID), nil))
		if a != single {
			t.Errorf("listed %+v\nsingle %+v", a, single)
		}
		if len(raw[i]) != len(agentWireFields) {
			t.Errorf("listed agent has fields %v, want exactly %v", raw[i], agentWireFields)
		}
		for k, v := range raw[i] {
			if _, isString := v.(string); !isString {
				t.Errorf("field %s is %T, want a string", k, v)
			}
		}
	}
}
