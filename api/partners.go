package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"commonground/matching"
)

// Pair is the API shape of a need met by an offer; a room that meets a
// space need is named.
type Pair struct {
	Need         string `json:"need"`
	Offer        string `json:"offer"`
	ViaSpaceID   string `json:"via_space_id,omitempty"`
	ViaSpaceName string `json:"via_space_name,omitempty"`
}

// PartnerMatch is the API shape of one complementary partner.
type PartnerMatch struct {
	OrganisationID string   `json:"organisation_id"`
	Name           string   `json:"name"`
	Type           string   `json:"type"`
	DistanceKm     float64  `json:"distance_km"`
	Score          float64  `json:"score"`
	Reciprocal     bool     `json:"reciprocal"`
	Tier           string   `json:"tier"`
	TheyMeet       []Pair   `json:"they_meet"`
	YouMeet        []Pair   `json:"you_meet"`
	SharedValues   []string `json:"shared_values"`
	Reasons        []Reason `json:"reasons"`
}

// PartnerResult is the body answering GET /v1/organisations/{id}/partners.
type PartnerResult struct {
	Matches      []PartnerMatch `json:"matches"`
	Excluded     map[string]int `json:"excluded"`
	TotalMatches int            `json:"total_matches"`
}

func toPairs(in []matching.Pair) []Pair {
	out := make([]Pair, len(in))
	for i, p := range in {
		out[i] = Pair{p.Need, p.Offer, p.ViaSpaceID, p.ViaSpaceName}
	}
	return out
}

func toReasons(in []matching.Reason) []Reason {
	out := make([]Reason, len(in))
	for i, r := range in {
		out[i] = Reason{r.Factor, r.Detail, r.Weight, r.Value, r.Contribution}
	}
	return out
}

// partners serves GET /v1/organisations/{id}/partners.
func (h *handler) partners(c *gin.Context) {
	if h.engine == nil {
		failStatus(c, http.StatusServiceUnavailable, "not-ready", "Not ready", "matching is not available")
		return
	}
	p := newQueryParser(c.Request.URL.Query(), "radius_km", "limit")
	req := matching.PartnerRequest{OrganisationID: c.Param("id"), Limit: p.int("limit", 20, 1, matching.MaxPartnerLimit)}
	if r, given := p.float("radius_km", 0); given {
		if r <= 0 || r > matching.MaxMatchRadiusKm {
			p.ve.Add("radius_km", "must be more than 0 and at most %d", matching.MaxMatchRadiusKm)
		}
		req.RadiusKm = r
	}
	if err := p.err(); err != nil {
		fail(c, err)
		return
	}
	if !h.partnerMatches.admit(c, "partner matches") {
		return
	}
	defer h.partnerMatches.release()
	res, err := h.engine.MatchPartnersContext(c.Request.Context(), req)
	if err != nil {
		fail(c, err)
		return
	}
	out := PartnerResult{Matches: make([]PartnerMatch, len(res.Matches)), Excluded: map[string]int{}, TotalMatches: res.TotalMatches}
	for _, r := range matching.PartnerExclusionOrder {
		out.Excluded[r] = res.Excluded[r]
	}
	for i := range res.Matches {
		m := &res.Matches[i]
		out.Matches[i] = PartnerMatch{OrganisationID: m.OrganisationID, Name: m.Name, Type: string(m.Type),
			DistanceKm: m.DistanceKm, Score: m.Score, Reciprocal: m.Reciprocal(), Tier: m.Tier(), TheyMeet: toPairs(m.TheyMeet),
			YouMeet: toPairs(m.YouMeet), SharedValues: m.SharedValues, Reasons: toReasons(m.Reasons)}
	}
	c.JSON(http.StatusOK, out)
}

// consortiumIn is the body of POST /v1/match/consortium.
type consortiumIn struct {
	Requirements       []string    `json:"requirements"`
	Near               *positionIn `json:"near"`
	RadiusKm           *float64    `json:"radius_km"`
	LeadOrganisationID string      `json:"lead_organisation_id"`
	MaxMembers         int         `json:"max_members"`
	Limit              int         `json:"limit"`
}

// ConsortiumMember is the API shape of one member of a team.
type ConsortiumMember struct {
	OrganisationID string   `json:"organisation_id"`
	Name           string   `json:"name"`
	Type           string   `json:"type"`
	DistanceKm     float64  `json:"distance_km"`
	Lead           bool     `json:"lead"`
	Covers         []string `json:"covers"`
}

// Consortium is the API shape of one team.
type Consortium struct {
	Members  []ConsortiumMember  `json:"members"`
	Covers   map[string][]string `json:"covers"`
	Missing  []string            `json:"missing"`
	Complete bool                `json:"complete"`
	SpreadKm float64             `json:"spread_km"`
	Score    float64             `json:"score"`
	Reasons  []Reason            `json:"reasons"`
}

// ConsortiumResult is the body answering POST /v1/match/consortium.
type ConsortiumResult struct {
	Consortia  []Consortium `json:"consortia"`
	Missing    []string     `json:"missing"`
	Candidates int          `json:"candidates"`
	Exhaustive bool         `json:"exhaustive"`
}

// consortium serves POST /v1/match/consortium.
func (h *handler) consortium(c *gin.Context) {
	if h.engine == nil {
		failStatus(c, http.StatusServiceUnavailable, "not-ready", "Not ready", "matching is not available")
		return
	}
	var in consortiumIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	ve := &matching.ValidationError{}
	req := matching.ConsortiumRequest{Requirements: in.Requirements, LeadOrganisationID: in.LeadOrganisationID,
		MaxMembers: in.MaxMembers, Limit: in.Limit}
	places := h.placesFor(c)
	req.Near = in.Near.point(ve, places, "near")
	if in.RadiusKm == nil {
		ve.Add("radius_km", "is required")
	} else {
		req.RadiusKm = *in.RadiusKm
	}
	if !validID(in.LeadOrganisationID) {
		ve.Add("lead_organisation_id", "is not a valid id")
	}
	if err := places.failed(ve.Err()); err != nil {
		fail(c, err)
		return
	}
	if !h.consortia.admit(c, "consortium searches") {
		return
	}
	defer h.consortia.release()
	ctx, cancel := context.WithTimeout(c.Request.Context(), h.consortiumBudget)
	defer cancel()
	req.Pause = h.light.pause
	res, err := h.engine.SearchConsortia(ctx, req)
	if err != nil {
		fail(c, err)
		return
	}
	out := ConsortiumResult{Consortia: make([]Consortium, len(res.Consortia)), Missing: res.Missing,
		Candidates: res.Candidates, Exhaustive: res.Exhaustive}
	for i := range res.Consortia {
		k := &res.Consortia[i]
		cj := Consortium{Members: make([]ConsortiumMember, len(k.Members)), Covers: k.Covers, Missing: k.Missing,
			Complete: k.Complete, SpreadKm: k.SpreadKm, Score: k.Score, Reasons: toReasons(k.Reasons)}
		for j, m := range k.Members {
			cj.Members[j] = ConsortiumMember{m.OrganisationID, m.Name, string(m.Type), m.DistanceKm, m.Lead, m.Covers}
		}
		out.Consortia[i] = cj
	}
	c.JSON(http.StatusOK, out)
}
