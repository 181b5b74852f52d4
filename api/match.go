package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"commonground/geo"
	"commonground/matching"
)

type requirementsIn struct {
	StepFree         bool    `json:"step_free"`
	AccessibleToilet bool    `json:"accessible_toilet"`
	HearingLoop      bool    `json:"hearing_loop"`
	Parking          bool    `json:"parking"`
	ChangingRooms    bool    `json:"changing_rooms"`
	SprungFloor      bool    `json:"sprung_floor"`
	Mirrors          bool    `json:"mirrors"`
	Barres           bool    `json:"barres"`
	SoundSystem      bool    `json:"sound_system"`
	ClimateControl   bool    `json:"climate_control"`
	NoObstructions   bool    `json:"no_obstructions"`
	MinCeilingM      float64 `json:"min_ceiling_m"`
}

// venueMatchIn is the body of POST /v1/match/venues.
type venueMatchIn struct {
	Near               *positionIn     `json:"near"`
	RadiusKm           *float64        `json:"radius_km"`
	GroupSize          *int            `json:"group_size"`
	Activity           string          `json:"activity"`
	Sessions           []sessionIn     `json:"sessions"`
	Weekly             *weeklyIn       `json:"weekly"`
	MaxPencePerHour    int             `json:"max_pence_per_hour"`
	Tier               string          `json:"tier"`
	Requirements       *requirementsIn `json:"requirements"`
	OrganisationID     string          `json:"organisation_id"`
	RequireAllSessions *bool           `json:"require_all_sessions"`
	Limit              int             `json:"limit"`
	ExplainSpaceID     string          `json:"explain_space_id"`
	AllowOutdoor       bool            `json:"allow_outdoor"`
}

// VenueMatch is the API shape of one venue match.
type VenueMatch struct {
	SpaceID           string            `json:"space_id"`
	SpaceName         string            `json:"space_name"`
	VenueID           string            `json:"venue_id"`
	VenueName         string            `json:"venue_name"`
	OrganisationID    string            `json:"organisation_id"`
	Location          Location          `json:"location"`
	DistanceKm        float64           `json:"distance_km"`
	Score             float64           `json:"score"`
	FitToDance        int               `json:"fit_to_dance"`
	SessionsRequested int               `json:"sessions_requested"`
	SessionsAvailable int               `json:"sessions_available"`
	Conflicts         []SessionConflict `json:"conflicts"`
	PricePencePerHour *int              `json:"price_pence_per_hour"`
	Reasons           []Reason          `json:"reasons"`
}

// Reason is the API shape of one factor of a score.
type Reason struct {
	Factor       string  `json:"factor"`
	Detail       string  `json:"detail"`
	Weight       float64 `json:"weight"`
	Value        float64 `json:"value"`
	Contribution float64 `json:"contribution"`
}

// Failure is the API shape of a failed constraint.
type Failure struct {
	Reason string `json:"reason"`
	Detail string `json:"detail"`
}

// Explanation is the API shape of why a space was or was not matched.
type Explanation struct {
	SpaceID   string            `json:"space_id"`
	Matched   bool              `json:"matched"`
	Failures  []Failure         `json:"failures"`
	Conflicts []SessionConflict `json:"conflicts"`
	Match     *VenueMatch       `json:"match,omitempty"`
}

// VenueMatchResult is the body answering POST /v1/match/venues.
type VenueMatchResult struct {
	Matches      []VenueMatch   `json:"matches"`
	Excluded     map[string]int `json:"excluded"`
	TotalMatches int            `json:"total_matches"`
	Explanation  *Explanation   `json:"explanation,omitempty"`
}

func (in *venueMatchIn) toRequest(places *geo.Places) (*matching.VenueRequest, error) {
	ve := &matching.ValidationError{}
	req := &matching.VenueRequest{
		Activity: in.Activity, MaxPencePerHour: in.MaxPencePerHour, Tier: matching.Tier(in.Tier),
		OrganisationID: in.OrganisationID, RequireAllSessions: true, Limit: in.Limit, ExplainSpaceID: in.ExplainSpaceID,
		AllowOutdoor: in.AllowOutdoor,
	}
	req.Near = in.Near.point(ve, places, "near")
	if in.RadiusKm == nil {
		ve.Add("radius_km", "is required")
	} else {
		req.RadiusKm = *in.RadiusKm
	}
	if in.GroupSize == nil {
		ve.Add("group_size", "is required")
	} else {
		req.GroupSize = *in.GroupSize
	}
	if in.RequireAllSessions != nil {
		req.RequireAllSessions = *in.RequireAllSessions
	}
	if r := in.Requirements; r != nil {
		req.Requirements = matching.Requirements{StepFree: r.StepFree, AccessibleToilet: r.AccessibleToilet,
			HearingLoop: r.HearingLoop, Parking: r.Parking, ChangingRooms: r.ChangingRooms, SprungFloor: r.SprungFloor,
			Mirrors: r.Mirrors, Barres: r.Barres, SoundSystem: r.SoundSystem, ClimateControl: r.ClimateControl,
			NoObstructions: r.NoObstructions, MinCeilingM: r.MinCeilingM}
	}
	if in.Limit == 0 {
		req.Limit = 20
	}
	if !validID(in.OrganisationID) {
		ve.Add("organisation_id", "is not a valid id")
	}
	if !validID(in.ExplainSpaceID) {
		ve.Add("explain_space_id", "is not a valid id")
	}
	req.Sessions = sessionsOf(ve, in.Sessions, in.Weekly)
	if err := ve.Err(); err != nil {
		return nil, err
	}
	return req, nil
}

func toVenueMatchJSON(m *matching.VenueMatch) VenueMatch {
	out := VenueMatch{
		SpaceID: m.SpaceID, SpaceName: m.SpaceName, VenueID: m.VenueID, VenueName: m.VenueName,
		OrganisationID: m.OrganisationID, Location: toLocation(m.Location), DistanceKm: m.DistanceKm,
		Score: m.Score, FitToDance: m.FitToDance, SessionsRequested: m.SessionsRequested,
		SessionsAvailable: m.SessionsAvailable, Conflicts: toConflicts(m.Conflicts),
		PricePencePerHour: m.PricePencePerHour, Reasons: make([]Reason, len(m.Reasons)),
	}
	for i, r := range m.Reasons {
		out.Reasons[i] = Reason{r.Factor, r.Detail, r.Weight, r.Value, r.Contribution}
	}
	return out
}

// matchVenues serves POST /v1/match/venues.
func (h *handler) matchVenues(c *gin.Context) {
	if h.engine == nil {
		failStatus(c, http.StatusServiceUnavailable, "not-ready", "Not ready", "matching is not available")
		return
	}
	var in venueMatchIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	req, err := in.toRequest(h.placeIndex)
	if err != nil {
		fail(c, err)
		return
	}
	res, err := h.engine.MatchVenues(req)
	if err != nil {
		fail(c, err)
		return
	}
	out := VenueMatchResult{Matches: make([]VenueMatch, len(res.Matches)), Excluded: map[string]int{}, TotalMatches: res.TotalMatches}
	for _, r := range matching.ExclusionOrder {
		out.Excluded[r] = res.Excluded[r]
	}
	for i := range res.Matches {
		out.Matches[i] = toVenueMatchJSON(&res.Matches[i])
	}
	if ex := res.Explanation; ex != nil {
		out.Explanation = &Explanation{SpaceID: ex.SpaceID, Matched: ex.Matched, Failures: make([]Failure, len(ex.Failures)),
			Conflicts: toConflicts(ex.Conflicts)}
		for i, f := range ex.Failures {
			out.Explanation.Failures[i] = Failure{f.Reason, f.Detail}
		}
		if ex.Match != nil {
			m := toVenueMatchJSON(ex.Match)
			out.Explanation.Match = &m
		}
	}
	c.JSON(http.StatusOK, out)
}
