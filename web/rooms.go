package web

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"commonground/api"
	"commonground/matching"
)

// venueRooms is one of our venues with its rooms.
type venueRooms struct {
	Venue  api.Venue
	Spaces []api.Space
}

// roomsView is the data of /dashboard/rooms.
type roomsView struct {
	Venues []venueRooms
	Kinds  []matching.SpaceKind
	Floors []matching.Floor
	Days   []string
	// Form, Errors and For are the form sent back with what is wrong:
	// For is "venue" or a venue's ID.
	Form    map[string]string
	Errors  map[string]string
	For     string
	Message string
}

// rooms: our venues and their rooms, and forms to add both.
func (h *Handler) rooms(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	h.showRooms(w, r, http.StatusOK, &roomsView{Form: map[string]string{}, Errors: map[string]string{}})
}

func (h *Handler) showRooms(w http.ResponseWriter, r *http.Request, status int, v *roomsView) {
	v.Kinds, v.Floors, v.Days = matching.SpaceKinds, matching.Floors, weekDays
	var venues venueList
	if err := h.get(r, "/v1/venues", url.Values{"organisation_id": {sessionOf(r).OrgID}, "limit": {"100"}}, &venues); err != nil {
		h.pageError(w, r, err)
		return
	}
	for _, vn := range venues.Items {
		var spaces spaceList
		if err := h.get(r, "/v1/venues/"+url.PathEscape(vn.ID)+"/spaces", url.Values{"limit": {"100"}}, &spaces); err != nil {
			h.pageError(w, r, err)
			return
		}
		v.Venues = append(v.Venues, venueRooms{Venue: vn, Spaces: spaces.Items})
	}
	h.render(w, r, status, "rooms", view{Title: "Your rooms", Nav: "rooms", D: v, Scripts: []string{"/static/stars.js"}})
}

// formFields copies the named fields of the posted form.
func formFields(r *http.Request, names ...string) map[string]string {
	out := map[string]string{}
	for _, n := range names {
		out[n] = strings.TrimSpace(r.PostFormValue(n))
	}
	return out
}

// addVenue adds a building: its place comes from its postcode, or from
// the town when the postcode is not known.
func (h *Handler) addVenue(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	v := &roomsView{Form: formFields(r, "name", "address", "postcode", "place"), Errors: map[string]string{}, For: "venue"}
	var places placeList
	for _, q := range []string{v.Form["postcode"], v.Form["place"]} {
		if q == "" {
			continue
		}
		if err := h.get(r, "/v1/places", url.Values{"q": {q}, "limit": {"1"}}, &places); err == nil && len(places.Items) > 0 {
			break
		}
	}
	if len(places.Items) == 0 {
		v.Errors["place"] = "we do not know that postcode or place: give the nearest town or village"
		h.showRooms(w, r, http.StatusBadRequest, v)
		return
	}
	check := func(k string) bool { return r.PostFormValue(k) == "true" }
	body := map[string]any{
		"name": v.Form["name"], "address": v.Form["address"], "postcode": v.Form["postcode"],
		"location": map[string]float64{"lat": places.Items[0].Lat, "lon": places.Items[0].Lon},
		"accessibility": map[string]bool{"step_free": check("step_free"), "accessible_toilet": check("accessible_toilet"),
			"hearing_loop": check("hearing_loop"), "parking": check("parking")},
	}
	if err := h.call(r, http.MethodPost, "/v1/venues", nil, body, nil); err != nil {
		h.formFailed(w, r, v, err)
		return
	}
	redirect(w, r, "/dashboard/rooms")
}

// spaceFormFields are the room form's fields, by their API names.
var spaceFormFields = []string{"name", "kind", "capacity", "floor_area_m2", "ceiling_height_m", "floor",
	"price_community", "price_standard", "price_commercial", "opens", "closes",
	"turnaround_minutes", "booking_horizon_days", "max_hours_per_organisation"}

// spaceFlags are the room form's yes/no fields.
var spaceFlags = []string{"mirrors", "barres", "sound_system", "changing_rooms", "climate_control", "obstructions", "instant_book"}

// spaceBody reads the room form's profile, yes/no fields and prices (in
// pounds) into the API's room body; form holds what was typed, and errs
// gets a message for each field that is not a number.
func spaceBody(r *http.Request, form, errs map[string]string) map[string]any {
	body := map[string]any{"name": form["name"], "kind": form["kind"], "floor": form["floor"]}
	number := func(field string, whole bool) {
		s := form[field]
		if s == "" {
			return
		}
		x, err := strconv.ParseFloat(s, 64)
		switch {
		case err != nil || math.IsNaN(x) || math.IsInf(x, 0):
			errs[field] = "must be a number"
		case whole && x != math.Trunc(x):
			errs[field] = "must be a whole number"
		case whole:
			body[field] = int(x)
		default:
			body[field] = x
		}
	}
	number("capacity", true)
	number("floor_area_m2", false)
	number("ceiling_height_m", false)
	// The booking rules (the edit form's; left out, the API keeps them).
	number("turnaround_minutes", true)
	number("booking_horizon_days", true)
	number("max_hours_per_organisation", true)
	for _, f := range spaceFlags {
		body[f] = r.PostFormValue(f) == "true"
		form[f] = r.PostFormValue(f)
	}
	prices := []map[string]any{}
	for _, tier := range matching.Tiers {
		field := "price_" + string(tier)
		s := form[field]
		if s == "" {
			continue
		}
		pounds, err := strconv.ParseFloat(strings.TrimPrefix(s, "£"), 64)
		if err != nil || pounds < 0 || pounds > 10000 {
			errs[field] = "must be an amount in pounds, such as 12.50"
			continue
		}
		prices = append(prices, map[string]any{"tier": tier, "pence_per_hour": int(math.Round(pounds * 100))})
	}
	body["prices"] = prices
	return body
}

// addSpace adds a room to one of our venues and shows its page, with its
// stars.
func (h *Handler) addSpace(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	venueID := r.PathValue("id")
	v := &roomsView{Form: formFields(r, spaceFormFields...), Errors: map[string]string{}, For: venueID}
	body := spaceBody(r, v.Form, v.Errors)
	hours := []map[string]string{}
	for _, d := range r.PostForm["day"] {
		hours = append(hours, map[string]string{"day": d, "opens": v.Form["opens"], "closes": v.Form["closes"]})
		v.Form["day_"+d] = "true"
	}
	body["opening_hours"] = hours
	if len(v.Errors) > 0 {
		h.showRooms(w, r, http.StatusBadRequest, v)
		return
	}
	var sp api.Space
	if err := h.call(r, http.MethodPost, "/v1/venues/"+url.PathEscape(venueID)+"/spaces", nil, body, &sp); err != nil {
		h.formFailed(w, r, v, err)
		return
	}
	redirect(w, r, "/spaces/"+url.PathEscape(sp.ID)+"#stars")
}

// formFailed shows the rooms page again with the API's objections, or
// the error page when the request itself was refused.
func (h *Handler) formFailed(w http.ResponseWriter, r *http.Request, v *roomsView, err error) {
	e, ok := err.(*apiError)
	if !ok || (e.Status != http.StatusBadRequest && e.Status != http.StatusConflict && e.Status != http.StatusUnprocessableEntity) {
		h.pageError(w, r, err)
		return
	}
	for _, fe := range e.Problem.Errors {
		field := fe.Field
		if strings.HasPrefix(field, "opening_hours") {
			field = "opens"
		} else if strings.HasPrefix(field, "prices") {
			field = "price_community"
		} else if i := strings.LastIndexByte(field, '.'); i >= 0 {
			field = field[i+1:]
		}
		v.Errors[field] = fe.Message
	}
	if len(e.Problem.Errors) == 0 {
		v.Message = cleanDetail(e.Problem.Detail, e.Problem.Title)
	}
	h.showRooms(w, r, e.Status, v)
}
