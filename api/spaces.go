package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"commonground/matching"
)

// Price is the API shape of one price tier.
type Price struct {
	Tier         string `json:"tier"`
	PencePerHour int    `json:"pence_per_hour"`
}

// OpeningHours is the API shape of one opening period.
type OpeningHours struct {
	Day    string `json:"day"`
	Opens  string `json:"opens"`
	Closes string `json:"closes"`
}

// Closure is the API shape of a closure.
type Closure struct {
	Start  string `json:"start"`
	End    string `json:"end"`
	Reason string `json:"reason"`
}

// spaceIn is the body of POST /v1/venues/{id}/spaces and PATCH
// /v1/spaces/{id}. Lists replace the stored list whole.
type spaceIn struct {
	Name                 *string         `json:"name"`
	Kind                 *string         `json:"kind"`
	Capacity             *int            `json:"capacity"`
	FloorAreaM2          *float64        `json:"floor_area_m2"`
	CeilingHeightM       *float64        `json:"ceiling_height_m"`
	Floor                *string         `json:"floor"`
	Mirrors              *bool           `json:"mirrors"`
	Barres               *bool           `json:"barres"`
	SoundSystem          *bool           `json:"sound_system"`
	ChangingRooms        *bool           `json:"changing_rooms"`
	ClimateControl       *bool           `json:"climate_control"`
	Obstructions         *bool           `json:"obstructions"`
	ProhibitedActivities *[]string       `json:"prohibited_activities"`
	InstantBook          *bool           `json:"instant_book"`
	Prices               *[]Price        `json:"prices"`
	OpeningHours         *[]OpeningHours `json:"opening_hours"`
	Closures             *[]Closure      `json:"closures"`
	// Fair-use rules.
	TurnaroundMinutes       *int `json:"turnaround_minutes"`
	BookingHorizonDays      *int `json:"booking_horizon_days"`
	MaxHoursPerOrganisation *int `json:"max_hours_per_organisation"`
	// What the activity rules read. Indoor is the domain's Outdoor,
	// negated; it defaults to false for kind outdoor and true otherwise,
	// and follows a new kind sent without it. Surface "" clears it.
	Indoor        *bool           `json:"indoor"`
	Surface       *string         `json:"surface"`
	RiggingPoints *[]RiggingPoint `json:"rigging_points"`
	TapBoards     *bool           `json:"tap_boards"`
}

// RiggingPoint is the API shape of a rigging point.
type RiggingPoint struct {
	RatedLoadKg float64 `json:"rated_load_kg"`
}

// StarLoss is the API shape of a Fit to Dance criterion that cost stars.
type StarLoss struct {
	Criterion string `json:"criterion"`
	StarsLost int    `json:"stars_lost"`
	Detail    string `json:"detail"`
}

// Space is the API shape of a space.
type Space struct {
	ID                   string         `json:"id"`
	VenueID              string         `json:"venue_id"`
	OrganisationID       string         `json:"organisation_id"`
	Location             Location       `json:"location"`
	Name                 string         `json:"name"`
	Kind                 string         `json:"kind"`
	Capacity             int            `json:"capacity"`
	FloorAreaM2          float64        `json:"floor_area_m2"`
	CeilingHeightM       float64        `json:"ceiling_height_m"`
	Floor                string         `json:"floor"`
	Mirrors              bool           `json:"mirrors"`
	Barres               bool           `json:"barres"`
	SoundSystem          bool           `json:"sound_system"`
	ChangingRooms        bool           `json:"changing_rooms"`
	ClimateControl       bool           `json:"climate_control"`
	Obstructions         bool           `json:"obstructions"`
	ProhibitedActivities []string       `json:"prohibited_activities"`
	InstantBook          bool           `json:"instant_book"`
	Prices               []Price        `json:"prices"`
	OpeningHours         []OpeningHours `json:"opening_hours"`
	Closures             []Closure      `json:"closures"`
	FitToDance           int            `json:"fit_to_dance"`
	// Fair-use rules.
	TurnaroundMinutes       int `json:"turnaround_minutes"`
	BookingHorizonDays      int `json:"booking_horizon_days"`
	MaxHoursPerOrganisation int `json:"max_hours_per_organisation"`
	// What the activity rules read, and which stars were lost and why.
	Indoor              bool           `json:"indoor"`
	Surface             *string        `json:"surface"`
	RiggingPoints       []RiggingPoint `json:"rigging_points"`
	TapBoards           bool           `json:"tap_boards"`
	FitToDanceBreakdown []StarLoss     `json:"fit_to_dance_breakdown"`
	CreatedAt           string         `json:"created_at"`
	UpdatedAt           string         `json:"updated_at"`
	DistanceKm          *float64       `json:"distance_km,omitempty"`
}

func toSpaceJSON(s *matching.Space) Space {
	out := Space{
		ID: s.ID, VenueID: s.VenueID, OrganisationID: s.OrganisationID, Location: toLocation(s.Location),
		Name: s.Name, Kind: string(s.Kind), Capacity: s.Capacity, FloorAreaM2: s.FloorAreaM2,
		CeilingHeightM: s.CeilingHeightM, Floor: string(s.Floor), Mirrors: s.Mirrors, Barres: s.Barres,
		SoundSystem: s.SoundSystem, ChangingRooms: s.ChangingRooms, ClimateControl: s.ClimateControl,
		Obstructions: s.Obstructions, ProhibitedActivities: orEmpty(s.ProhibitedActivities),
		InstantBook: s.InstantBook,
		Prices:      make([]Price, len(s.Prices)), OpeningHours: make([]OpeningHours, len(s.OpeningHours)),
		Closures:   make([]Closure, len(s.Closures)),
		FitToDance: s.FitToDance(), CreatedAt: rfc3339(s.CreatedAt), UpdatedAt: rfc3339(s.UpdatedAt),
		TurnaroundMinutes: s.TurnaroundMinutes, BookingHorizonDays: s.HorizonDays(),
		MaxHoursPerOrganisation: s.MaxHoursPerOrganisation,
	}
	out.FitToDanceBreakdown = []StarLoss{}
	for _, l := range s.FitToDanceBreakdown() {
		out.FitToDanceBreakdown = append(out.FitToDanceBreakdown, StarLoss{l.Criterion, l.StarsLost, l.Detail})
	}
	for i, p := range s.Prices {
		out.Prices[i] = Price{string(p.Tier), p.PencePerHour}
	}
	for i, h := range s.OpeningHours {
		out.OpeningHours[i] = OpeningHours{string(h.Day), h.Opens.String(), h.Closes.String()}
	}
	for i, c := range s.Closures {
		out.Closures[i] = Closure{rfc3339(c.Start), rfc3339(c.End), c.Reason}
	}
	out.Indoor, out.TapBoards = !s.IsOutdoor(), s.TapBoards
	if s.Surface != "" {
		surface := string(s.Surface)
		out.Surface = &surface
	}
	out.RiggingPoints = make([]RiggingPoint, len(s.RiggingPoints))
	for i, p := range s.RiggingPoints {
		out.RiggingPoints[i] = RiggingPoint{p.RatedLoadKg}
	}
	breakdown := s.FitToDanceBreakdown()
	out.FitToDanceBreakdown = make([]StarLoss, len(breakdown))
	for i, x := range breakdown {
		out.FitToDanceBreakdown[i] = StarLoss{x.Criterion, x.StarsLost, x.Detail}
	}
	return out
}

// apply sets the fields the body carries and validates the result; create
// says whether the profile's required fields must be present.
func (in *spaceIn) apply(s *matching.Space, tax *matching.Taxonomy, create bool) error {
	ve := &matching.ValidationError{}
	if create {
		for field, missing := range map[string]bool{
			"name": in.Name == nil, "kind": in.Kind == nil, "capacity": in.Capacity == nil,
			"floor_area_m2": in.FloorAreaM2 == nil, "floor": in.Floor == nil,
		} {
			if missing {
				ve.Add(field, "is required")
			}
		}
		if err := ve.Err(); err != nil {
			sortFieldErrors(ve)
			return err
		}
	}
	setString(&s.Name, in.Name)
	if in.Kind != nil {
		s.Kind = matching.SpaceKind(*in.Kind)
	}
	if in.Capacity != nil {
		s.Capacity = *in.Capacity
	}
	if in.FloorAreaM2 != nil {
		s.FloorAreaM2 = *in.FloorAreaM2
	}
	if in.CeilingHeightM != nil {
		s.CeilingHeightM = *in.CeilingHeightM
	}
	if in.Floor != nil {
		s.Floor = matching.Floor(*in.Floor)
	}
	setBool(&s.Mirrors, in.Mirrors)
	setBool(&s.Barres, in.Barres)
	setBool(&s.SoundSystem, in.SoundSystem)
	setBool(&s.ChangingRooms, in.ChangingRooms)
	setBool(&s.ClimateControl, in.ClimateControl)
	setBool(&s.Obstructions, in.Obstructions)
	setBool(&s.InstantBook, in.InstantBook)
	if in.ProhibitedActivities != nil {
		s.ProhibitedActivities = orEmpty(*in.ProhibitedActivities)
	}
	if in.Prices != nil {
		s.Prices = make([]matching.Price, len(*in.Prices))
		for i, p := range *in.Prices {
			s.Prices[i] = matching.Price{Tier: matching.Tier(p.Tier), PencePerHour: p.PencePerHour}
		}
	}
	if in.OpeningHours != nil {
		s.OpeningHours = make([]matching.OpeningHours, 0, len(*in.OpeningHours))
		for i, h := range *in.OpeningHours {
			f := fieldf("opening_hours[%d]", i)
			day, err := matching.ParseWeekday(h.Day)
			if err != nil {
				ve.Add(f+".day", "%v", err)
			}
			opens, err := matching.ParseClock(h.Opens)
			if err != nil {
				ve.Add(f+".opens", "%v", err)
			}
			closes, err := matching.ParseClock(h.Closes)
			if err != nil {
				ve.Add(f+".closes", "%v", err)
			}
			s.OpeningHours = append(s.OpeningHours, matching.OpeningHours{Day: day, Opens: opens, Closes: closes})
		}
	}
	if in.Closures != nil {
		s.Closures = make([]matching.Closure, len(*in.Closures))
		for i, c := range *in.Closures {
			f := fieldf("closures[%d]", i)
			s.Closures[i] = matching.Closure{Start: parseTime(ve, f+".start", c.Start), End: parseTime(ve, f+".end", c.End), Reason: c.Reason}
		}
	}
	if in.TurnaroundMinutes != nil {
		s.TurnaroundMinutes = *in.TurnaroundMinutes
	}
	switch {
	case in.BookingHorizonDays != nil && *in.BookingHorizonDays < 1:
		ve.Add("booking_horizon_days", "must be between 1 and %d", matching.MaxBookingHorizonDays)
	case in.BookingHorizonDays != nil:
		s.BookingHorizonDays = *in.BookingHorizonDays
	case create:
		s.BookingHorizonDays = matching.DefaultBookingHorizonDays
	}
	if in.MaxHoursPerOrganisation != nil {
		s.MaxHoursPerOrganisation = *in.MaxHoursPerOrganisation
	}
	in.applyActivityFields(ve, s, create)
	if err := ve.Err(); err != nil {
		// Parse errors first: validating half-parsed values would repeat them.
		return err
	}
	return s.Validate(tax)
}

// applyActivityFields sets what the activity rules read. Without indoor,
// a new space, or a space given a new kind, is indoors unless its kind is
// outdoor; a space that ends up indoors keeps no surface it was not sent.
func (in *spaceIn) applyActivityFields(ve *matching.ValidationError, s *matching.Space, create bool) {
	switch {
	case in.Indoor != nil:
		if *in.Indoor && s.Kind == matching.KindOutdoor {
			ve.Add("indoor", "must be false for kind outdoor")
		}
		s.Outdoor = !*in.Indoor
	case create || in.Kind != nil:
		s.Outdoor = s.Kind == matching.KindOutdoor
	}
	if in.Surface != nil {
		s.Surface = matching.Surface(*in.Surface)
	} else if !s.IsOutdoor() {
		s.Surface = ""
	}
	if in.RiggingPoints != nil {
		s.RiggingPoints = make([]matching.RiggingPoint, len(*in.RiggingPoints))
		for i, p := range *in.RiggingPoints {
			s.RiggingPoints[i] = matching.RiggingPoint{RatedLoadKg: p.RatedLoadKg}
		}
	}
	setBool(&s.TapBoards, in.TapBoards)
}

func (h *handler) createSpace(c *gin.Context) {
	ctx := c.Request.Context()
	v, err := h.store.GetVenue(ctx, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	if !mustOwn(c, v.OrganisationID, "venue") {
		return
	}
	var in spaceIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	existing, err := h.store.ListSpaces(ctx, matching.SpaceFilter{VenueID: v.ID, Page: matching.Page{Limit: matching.MaxSpacesPerVenue}})
	if err != nil {
		fail(c, err)
		return
	}
	if len(existing) >= matching.MaxSpacesPerVenue {
		fail(c, fmt.Errorf("%w: a venue may have at most %d spaces", matching.ErrConflict, matching.MaxSpacesPerVenue))
		return
	}
	now := h.now().UTC()
	s := &matching.Space{ID: uuid.Must(uuid.NewV7()).String(), VenueID: v.ID, OrganisationID: v.OrganisationID,
		Location: v.Location, CreatedAt: now, UpdatedAt: now,
		ProhibitedActivities: []string{}, Prices: []matching.Price{}, OpeningHours: []matching.OpeningHours{}, Closures: []matching.Closure{},
		RiggingPoints: []matching.RiggingPoint{}}
	if err := in.apply(s, h.tax, true); err != nil {
		fail(c, err)
		return
	}
	audit(c, s.OrganisationID, "space.created", "space", s.ID)
	if err := h.store.CreateSpace(ctx, s); err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/v1/spaces/"+s.ID)
	h.catchUp(c)
	c.JSON(http.StatusCreated, toSpaceJSON(s))
}

func (h *handler) getSpace(c *gin.Context) {
	s, err := h.store.GetSpace(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	writeSpace(c, http.StatusOK, s)
}

// writeSpace answers with a space and its ETag (see writeTagged).
func writeSpace(c *gin.Context, status int, s *matching.Space) {
	c.Header("Cache-Control", "no-cache")
	writeTagged(c, status, toSpaceJSON(s))
}

// spacePrecondition is the request's If-Match as a check of a space (nil
// without one).
func spacePrecondition(c *gin.Context) (func(*matching.Space) error, error) {
	l, err := ifMatch(c)
	if err != nil {
		return nil, err
	}
	return precondition(l, func(s *matching.Space) any { return toSpaceJSON(s) }), nil
}

// patchSpace changes the fields the body carries, applied in the store's
// transaction to the space as it is then (see patchOrganisation).
func (h *handler) patchSpace(c *gin.Context) {
	ctx := c.Request.Context()
	s, err := h.store.GetSpace(ctx, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	if !mustOwn(c, s.OrganisationID, "space") {
		return
	}
	var in spaceIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	check, err := spacePrecondition(c)
	if err != nil {
		fail(c, err)
		return
	}
	audit(c, s.OrganisationID, "space.updated", "space", s.ID)
	s, err = h.store.UpdateSpace(ctx, s.ID, func(cur *matching.Space) error {
		if check != nil {
			if err := check(cur); err != nil {
				return err
			}
		}
		return in.apply(cur, h.tax, false)
	})
	if err != nil {
		fail(c, err)
		return
	}
	h.catchUp(c)
	writeSpace(c, http.StatusOK, s)
}

func (h *handler) deleteSpace(c *gin.Context) {
	check, err := spacePrecondition(c)
	if err != nil {
		fail(c, err)
		return
	}
	h.deleteOwned(c, "space", func(ctx context.Context, id string) (string, error) {
		s, err := h.store.GetSpace(ctx, id)
		if err != nil {
			return "", err
		}
		return s.OrganisationID, nil
	}, func(ctx context.Context, id string) error { return h.store.DeleteSpaceIf(ctx, id, check) })
}
