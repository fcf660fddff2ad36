package sandbox

import (
	"context"
	"net/http"

	"github.com/ladmin/ladmin/internal/liveagent"
)

func (s *Server) handleListDepartments(w http.ResponseWriter, r *http.Request, caller member) error {
	if err := requireRead(caller); err != nil {
		return err
	}
	var depts []liveagent.Department
	err := s.read(r.Context(), func(tx handle) error {
		var err error
		depts, err = loadDepartments(r.Context(), tx, "")
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, depts)
	return nil
}

func (s *Server) handleGetDepartment(w http.ResponseWriter, r *http.Request, caller member) error {
	if err := requireRead(caller); err != nil {
		return err
	}
	id := r.PathValue("departmentId")
	var depts []liveagent.Department
	err := s.read(r.Context(), func(tx handle) error {
		var err error
		depts, err = loadDepartments(r.Context(), tx, id)
		return err
	})
	if err != nil {
		return err
	}
	if len(depts) == 0 {
		return notFound("no department with id %q", id)
	}
	writeJSON(w, http.StatusOK, depts[0])
	return nil
}

// loadDepartments loads every department, or only the one with id onlyID,
// with its active members: agent_ids in creation order, and online_status
// "N" when one of them is online.
func loadDepartments(ctx context.Context, q querier, onlyID string) ([]liveagent.Department, error) {
	where, args := "", []any{}
	if onlyID != "" {
		where, args = " WHERE id = ?", append(args, onlyID)
	}
	rows, err := q.QueryContext(ctx, "SELECT id, name FROM departments"+where+" ORDER BY seq", args...)
	if err != nil {
		return nil, err
	}
	depts := []liveagent.Department{}
	index := map[string]int{}
	for rows.Next() {
		d := liveagent.Department{AgentIDs: []string{}, OnlineStatus: "F"}
		if err := rows.Scan(&d.DepartmentID, &d.Name); err != nil {
			rows.Close()
			return nil, err
		}
		index[d.DepartmentID] = len(depts)
		depts = append(depts, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(depts) == 0 {
		return depts, nil
	}

	where = ""
	if onlyID != "" {
		where = " AND ad.department_id = ?"
	}
	rows, err = q.QueryContext(ctx, `SELECT ad.department_id, a.id, a.online_status
		FROM agent_departments ad JOIN agents a ON a.id = ad.agent_id
		WHERE a.status = 'A'`+where+` ORDER BY a.seq`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var deptID, agentID, online string
		if err := rows.Scan(&deptID, &agentID, &online); err != nil {
			return nil, err
		}
		i, known := index[deptID]
		if !known {
			continue
		}
		d := &depts[i]
		d.AgentIDs = append(d.AgentIDs, agentID)
		d.AgentCount++
		if online == "N" {
			d.OnlineStatus = "N"
		}
	}
	return depts, rows.Err()
}
