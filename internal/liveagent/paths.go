package liveagent

import "net/url"

// Every endpoint path of spec/api.md lives here, relative to <account>/api/v3.
// The Published ones are LiveAgent's documented API; the Extensions are not in
// its published client, so they are kept together to change in one edit.
// The Pattern* forms are net/http ServeMux patterns the sandbox routes with.
const (
	APIPrefix = "/api/v3"

	// Published.
	PathPing           = "/ping"
	PathAgents         = "/agents"
	PathAgentUndelete  = "/agents/undelete"
	PathDepartments    = "/departments"
	PathAPIPrivileges  = "/api/privileges"
	PatternAgent       = "/agents/{userId}"
	PatternDepartment  = "/departments/{departmentId}"
	PathAPIKeys        = "/apikeys"
	PathAPIKeyLogin    = "/apikeys/_login"
	PatternAPIKey      = "/apikeys/{apikeyId}"
	PatternAgentLogout = "/agents/{userId}/_logout"

	// Extensions (see also Extensions below: POST /agents shares its path
	// with the published GET /agents).
	PathAgentMe     = "/agents/me"
	PathRoles       = "/roles"
	PathPermissions = "/permissions"
	PatternRole     = "/roles/{roleId}"
	// QueryReassignTo is the DELETE /roles/{roleId} parameter that moves holders first.
	QueryReassignTo = "reassign_to"
)

// Endpoint is a method and a path (or ServeMux pattern) under /api/v3.
type Endpoint struct{ Method, Path string }

// Extensions is every extension endpoint of spec/api.md: an account has all
// of them or none. The sandbox hides exactly these on its published face.
var Extensions = []Endpoint{
	{"GET", PathAgentMe},
	{"POST", PathAgents},
	{"GET", PathRoles},
	{"POST", PathRoles},
	{"GET", PatternRole},
	{"PUT", PatternRole},
	{"DELETE", PatternRole},
	{"GET", PathPermissions},
}

// IsExtension reports whether method and path (or pattern) name an extension endpoint.
func IsExtension(method, path string) bool {
	for _, e := range Extensions {
		if e.Method == method && e.Path == path {
			return true
		}
	}
	return false
}

// List query parameter names (published).
const (
	QueryPage      = "_page"
	QueryPerPage   = "_perPage"
	QuerySortDir   = "_sortDir"
	QuerySortField = "_sortField"
	QueryFilters   = "_filters"
	QueryFrom      = "_from"
	QueryTo        = "_to"
)

// PathAgent is the path of one agent.
func PathAgent(id string) string { return "/agents/" + url.PathEscape(id) }

// PathDepartment is the path of one department.
func PathDepartment(id string) string { return "/departments/" + url.PathEscape(id) }

// PathRole is the path of one role.
func PathRole(id string) string { return "/roles/" + url.PathEscape(id) }

// PathAPIKey is the path of one API key.
func PathAPIKey(id string) string { return "/apikeys/" + url.PathEscape(id) }

// PathAgentLogout is the path that ends every session of an agent.
func PathAgentLogout(id string) string { return "/agents/" + url.PathEscape(id) + "/_logout" }
