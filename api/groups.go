package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"commonground/matching"
)

// GroupMatch is the API shape of one organisation whose need for a room
// this space meets.
type GroupMatch struct {
	OrganisationID string   `json:"organisation_id"`
	Name           string   `json:"name"`
	Type           string   `json:"type"`
	NeedID         string   `json:"need_id"`
	Category       string   `json:"category"`
	GroupSize      int      `json:"group_size,omitempty"`
	Activity       string   `json:"activity,omitempty"`
	DistanceKm     float64  `json:"distance_km"`
	Score          float64  `json:"score"`
	FreeWindows    []Period `json:"free_windows"`
	Reasons        []Reason `json:"reasons"`
}

// Period is the API shape of a stretch of time.
type Period struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// GroupResult is the body answering GET /v1/spaces/{id}/groups.
type GroupResult struct {
	Matches      []GroupMatch   `json:"matches"`
	Excluded     map[string]int `json:"excluded"`
	TotalMatches int            `json:"total_matches"`
}

// spaceGroups serves GET /v1/spaces/{id}/groups: the organisations whose
// needs for a room this space meets, best first, with the parts of their
// weekly windows free here over the next four weeks. It is public, as the
// needs on organisations' profiles and the space itself are. Like a
// partner match it reads every organisation within reach, so a few run at
// once (h.groupMatches, slots of their own: 503 with Retry-After past
// them).
func (h *handler) spaceGroups(c *gin.Context) {
	if h.engine == nil {
		failStatus(c, http.StatusServiceUnavailable, "not-ready", "Not ready", "matching is not available")
		return
	}
	p := newQueryParser(c.Request.URL.Query(), "radius_km", "limit")
	req := matching.GroupRequest{SpaceID: c.Param("id"), Limit: p.int("limit", 20, 1, matching.MaxGroupLimit), Now: h.now()}
	if r, given := p.float("radius_km", 0); given {
		if !(r > 0 && r <= matching.MaxMatchRadiusKm) {
			p.ve.Add("radius_km", "must be more than 0 and at most %d", matching.MaxMatchRadiusKm)
		}
		req.RadiusKm = r
	}
	if err := p.err(); err != nil {
		fail(c, err)
		return
	}
	if !h.groupMatches.admit(c, "searches for groups") {
		return
	}
	defer h.groupMatches.release()
	res, err := h.engine.MatchGroups(req)
	if err != nil {
		fail(c, err)
		return
	}
	out := GroupResult{Matches: make([]GroupMatch, len(res.Matches)), Excluded: map[string]int{}, TotalMatches: res.TotalMatches}
	for _, r := range matching.GroupExclusionOrder {
		out.Excluded[r] = res.Excluded[r]
	}
	for i := range res.Matches {
		m := &res.Matches[i]
		free := make([]Period, len(m.FreeWindows))
		for j, s := range m.FreeWindows {
			free[j] = Period{Start: rfc3339(s.Start), End: rfc3339(s.End)}
		}
		out.Matches[i] = GroupMatch{OrganisationID: m.OrganisationID, Name: m.Name, Type: string(m.Type), NeedID: m.NeedID,
			Category: m.Category, GroupSize: m.GroupSize, Activity: m.Activity, DistanceKm: m.DistanceKm, Score: m.Score,
			FreeWindows: free, Reasons: toReasons(m.Reasons)}
	}
	c.JSON(http.StatusOK, out)
}
