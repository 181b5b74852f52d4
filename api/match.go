package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

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
	// CountExcluded false skips the count of spaces not matched (excluded
	// and total_matches are then null): the quicker answer.
	CountExcluded *bool `json:"count_excluded"`
	// Cursor is the next_cursor of the page before.
	Cursor string `json:"cursor"`
}

// cursorKey identifies the ranking a request asks for: its body but for
// what only shapes the answer (limit, cursor, count_excluded and
// explain_space_id), so a cursor is accepted only by the request it came
// from, whatever the page size.
func (in venueMatchIn) cursorKey() string {
	in.Limit, in.Cursor, in.CountExcluded, in.ExplainSpaceID = 0, "", nil, ""
	b, _ := json.Marshal(in)
	sum := sha256.Sum256(append([]byte("/v1/match/venues\x00"), b...))
	return hex.EncodeToString(sum[:8])
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
	Matches []VenueMatch `json:"matches"`
	// Excluded and TotalMatches are null when the request says
	// "count_excluded": false.
	Excluded     map[string]int `json:"excluded"`
	TotalMatches *int           `json:"total_matches"`
	NextCursor   *string        `json:"next_cursor"`
	Explanation  *Explanation   `json:"explanation,omitempty"`
}

// VenueMatchCollection is the answer for Accept: application/geo+json: a
// FeatureCollection whose features are the matches (id: the space,
// properties: the match as in JSON), with the rest of the answer beside.
type VenueMatchCollection struct {
	geo.Collection
	Excluded     map[string]int `json:"excluded"`
	TotalMatches *int           `json:"total_matches"`
	Explanation  *Explanation   `json:"explanation,omitempty"`
}

// toRequest is the engine's request, made at now (which the rooms'
// booking horizons count from).
func (in *venueMatchIn) toRequest(places *placeFinder, now time.Time) (*matching.VenueRequest, error) {
	ve := &matching.ValidationError{}
	req := &matching.VenueRequest{Now: now,
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
	if in.CountExcluded != nil && !*in.CountExcluded {
		req.SkipExcluded = true
	}
	if in.Cursor != "" {
		c, ok := decodeCursor(in.Cursor)
		switch {
		case !ok || c.DistanceM == nil || c.Score == nil:
			ve.Add("cursor", "is not a cursor this service issued")
		case c.Query != in.cursorKey():
			ve.Add("cursor", "belongs to a different request: pass back next_cursor with the same body but for limit")
		default:
			req.After = &matching.VenueCursor{Score: *c.Score, DistanceM: *c.DistanceM, SpaceID: c.ID}
		}
	}
	req.Sessions = sessionsOf(ve, in.Sessions, in.Weekly)
	if err := places.failed(ve.Err()); err != nil {
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
	req, err := in.toRequest(h.placesFor(c), h.now())
	if err != nil {
		fail(c, err)
		return
	}
	res, err := h.engine.MatchVenues(req)
	if err != nil {
		fail(c, err)
		return
	}
	out := VenueMatchResult{Matches: make([]VenueMatch, len(res.Matches))}
	if !req.SkipExcluded {
		total := res.TotalMatches
		out.Excluded, out.TotalMatches = map[string]int{}, &total
		for _, r := range matching.ExclusionOrder {
			out.Excluded[r] = res.Excluded[r]
		}
	}
	if n := res.Next; n != nil {
		score, dist := n.Score, n.DistanceM
		next := cursor{Query: in.cursorKey(), ID: n.SpaceID, DistanceM: &dist, Score: &score}.encode()
		out.NextCursor = &next
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
	c.Header("Vary", "Accept")
	if wantsGeoJSON(c.GetHeader("Accept")) {
		features := make([]geo.Feature, len(out.Matches))
		for i := range out.Matches {
			features[i] = geo.Feature{ID: out.Matches[i].SpaceID, Point: res.Matches[i].Location, Properties: &out.Matches[i]}
		}
		body, err := json.Marshal(VenueMatchCollection{Collection: geo.FeatureCollection(features, out.NextCursor),
			Excluded: out.Excluded, TotalMatches: out.TotalMatches, Explanation: out.Explanation})
		if err != nil {
			fail(c, err)
			return
		}
		c.Data(http.StatusOK, "application/geo+json", body)
		return
	}
	respond(c, &out)
}

// wantsGeoJSON reports whether an Accept header asks for GeoJSON
// (application/geo+json, not refused with q=0) before plain JSON.
func wantsGeoJSON(accept string) bool {
	best := -1.0
	jsonQ := -1.0
	for _, part := range strings.Split(accept, ",") {
		fields := strings.Split(part, ";")
		mt := strings.ToLower(strings.TrimSpace(fields[0]))
		q := 1.0
		for _, f := range fields[1:] {
			if k, v, ok := strings.Cut(strings.TrimSpace(f), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if x, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = x
				}
			}
		}
		switch mt {
		case "application/geo+json":
			best = max(best, q)
		case "application/json", "application/*", "*/*":
			jsonQ = max(jsonQ, q)
		}
	}
	return best > 0 && best >= jsonQ
}
