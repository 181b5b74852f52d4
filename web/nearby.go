package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"commonground/api"
)

// nearbyRoom is one room of the API's nearby GeoJSON.
type nearbyRoom struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	DistanceKm   float64 `json:"distance_km"`
	VenueID      string  `json:"venue_id"`
	VenueName    string  `json:"venue_name"`
	SpaceKind    string  `json:"space_kind"`
	Capacity     int     `json:"capacity"`
	FitToDance   int     `json:"fit_to_dance"`
	InstantBook  bool    `json:"instant_book"`
	CommunityPPH *int    `json:"community_pence_per_hour"`
	Lon, Lat     float64 `json:"-"`
}

// nearbyAnswer is GET /v1/nearby's answer for rooms: GeoJSON, or the
// API's value when the read model answered.
type nearbyAnswer []nearbyRoom

func (rooms *nearbyAnswer) UnmarshalJSON(b []byte) error {
	var fc struct {
		Features []struct {
			Geometry struct {
				Coordinates [2]float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties nearbyRoom `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		return err
	}
	*rooms = make([]nearbyRoom, len(fc.Features))
	for i, f := range fc.Features {
		(*rooms)[i] = f.Properties
		(*rooms)[i].Lon, (*rooms)[i].Lat = f.Geometry.Coordinates[0], f.Geometry.Coordinates[1]
	}
	return nil
}

func (rooms *nearbyAnswer) takeAnswer(v any) bool {
	ns, ok := v.(*api.NearbySpaces)
	if !ok {
		return false
	}
	*rooms = make([]nearbyRoom, len(ns.Spaces))
	for i := range ns.Spaces {
		s := &ns.Spaces[i]
		(*rooms)[i] = nearbyRoom{ID: s.ID, Name: s.Name, DistanceKm: ns.DistanceKm(i), VenueID: s.VenueID,
			VenueName: s.VenueName, SpaceKind: string(s.Kind), Capacity: s.Capacity, FitToDance: s.FitToDance,
			InstantBook: s.InstantBook, CommunityPPH: s.CommunityPencePerHour, Lon: s.Location[0], Lat: s.Location[1]}
	}
	return true
}

// nearbyRooms asks the API for the rooms near a place (or a point) that
// q describes.
func (h *Handler) nearbyRooms(r *http.Request, q url.Values) ([]nearbyRoom, error) {
	q.Set("kind", "spaces")
	var rooms nearbyAnswer
	if err := h.get(r, "/v1/nearby", q, &rooms); err != nil {
		return nil, err
	}
	return rooms, nil
}

// roomsNear are the rooms a search looked at beyond its matches (within
// twice its radius, as the exclusion counts are), to ask "why not this
// one?"; nil when the API will not say.
func (h *Handler) roomsNear(r *http.Request, f searchForm) []nearbyRoom {
	radius, err := strconv.ParseFloat(f.RadiusKm, 64)
	if err != nil {
		return nil
	}
	q := url.Values{"place": {f.Place}, "radius_km": {strconv.FormatFloat(min(2*radius, 100), 'f', -1, 64)}, "limit": {"30"}}
	rooms, err := h.nearbyRooms(r, q)
	if err != nil {
		return nil
	}
	return rooms
}

// nearbyForm is the "near me" search as typed.
type nearbyForm struct {
	Place    string
	Lat, Lon string
	RadiusKm string
	// When is "now" or "at"; FreeFrom a local date and time
	// (YYYY-MM-DDTHH:MM) when it is "at".
	When     string
	FreeFrom string
	Hours    string
}

type nearbyView struct {
	Form     nearbyForm
	Searched bool
	Error    string
	Rooms    []nearbyRoom
	// Window says in words for when the rooms are free.
	Window string
}

// nearby: rooms near a place or the browser's location, free now or at a
// chosen time; phones first.
func (h *Handler) nearby(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := nearbyForm{Place: strings.TrimSpace(q.Get("place")), Lat: q.Get("lat"), Lon: q.Get("lon"),
		RadiusKm: orDefault(q.Get("radius_km"), "5"), When: orDefault(q.Get("when"), "now"),
		FreeFrom: q.Get("free_from"), Hours: orDefault(q.Get("hours"), "1")}
	v := nearbyView{Form: f}
	page := view{Title: "Free rooms near you", Nav: "nearby", D: &v, Scripts: []string{"/static/nearby.js"}}
	if f.Place == "" && (f.Lat == "" || f.Lon == "") {
		h.render(w, r, http.StatusOK, "nearby", page)
		return
	}
	v.Searched = true
	from := h.now().In(london)
	if f.When == "at" {
		t, err := time.ParseInLocation("2006-01-02T15:04", f.FreeFrom, london)
		if err != nil {
			v.Error = "Choose a day and time, or choose “now”."
			h.render(w, r, http.StatusBadRequest, "nearby", page)
			return
		}
		from = t
	}
	hours, err := strconv.Atoi(f.Hours)
	if err != nil || hours < 1 || hours > 12 {
		hours = 1
	}
	until := from.Add(time.Duration(hours) * time.Hour)
	query := url.Values{"radius_km": {f.RadiusKm}, "limit": {"30"},
		"free_from": {from.Format(time.RFC3339)}, "free_until": {until.Format(time.RFC3339)}}
	if f.Place != "" {
		query.Set("place", f.Place)
	} else {
		query.Set("lat", f.Lat)
		query.Set("lon", f.Lon)
	}
	rooms, err := h.nearbyRooms(r, query)
	if err != nil {
		if e, ok := err.(*apiError); ok && e.Status == http.StatusBadRequest {
			v.Error = cleanDetail(firstMessage(e), e.Problem.Detail)
			h.render(w, r, http.StatusBadRequest, "nearby", page)
			return
		}
		h.pageError(w, r, err)
		return
	}
	v.Rooms = rooms
	v.Window = from.Format("Mon 2 Jan, 15:04") + " to " + until.Format("15:04")
	h.render(w, r, http.StatusOK, "nearby", page)
}

// firstMessage is the first field error of a problem, with its field.
func firstMessage(e *apiError) string {
	for _, fe := range e.Problem.Errors {
		return label(fe.Field) + " " + fe.Message
	}
	return e.Problem.Detail
}

func orDefault(s, def string) string {
	if s = strings.TrimSpace(s); s != "" {
		return s
	}
	return def
}
