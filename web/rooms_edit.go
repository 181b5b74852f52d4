package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"commonground/api"
	"commonground/matching"
)

// editView is the data of a room's edit page.
type editView struct {
	Space  api.Space
	Kinds  []matching.SpaceKind
	Floors []matching.Floor
	Days   []string
	Form   map[string]string
	Errors map[string]string
	// HoursEditable says each day has at most one opening period, which
	// the form's one row a day can show; otherwise the hours are kept.
	HoursEditable bool
	Message       string
	// Groups are the organisations whose needs for a room this one meets.
	Groups *api.GroupResult
}

// ownSpace loads the room of the path if it is the signed-in person's
// organisation's; to anyone else it does not exist.
func (h *Handler) ownSpace(w http.ResponseWriter, r *http.Request) (*api.Space, bool) {
	var sp api.Space
	if err := h.get(r, "/v1/spaces/"+url.PathEscape(r.PathValue("id")), nil, &sp); err != nil {
		h.pageError(w, r, err)
		return nil, false
	}
	if sp.OrganisationID != sessionOf(r).OrgID {
		h.errorPage(w, r, http.StatusNotFound, "We could not find that page. It may have been removed, or the link may be wrong.")
		return nil, false
	}
	return &sp, true
}

// spaceForm is a room as its form shows it.
func spaceForm(sp *api.Space) map[string]string {
	f := map[string]string{"name": sp.Name, "kind": sp.Kind, "capacity": strconv.Itoa(sp.Capacity),
		"floor_area_m2": strconv.FormatFloat(sp.FloorAreaM2, 'f', -1, 64), "floor": sp.Floor,
		"turnaround_minutes": strconv.Itoa(sp.TurnaroundMinutes), "booking_horizon_days": strconv.Itoa(sp.BookingHorizonDays),
		"max_hours_per_organisation": strconv.Itoa(sp.MaxHoursPerOrganisation)}
	if sp.CeilingHeightM > 0 {
		f["ceiling_height_m"] = strconv.FormatFloat(sp.CeilingHeightM, 'f', -1, 64)
	}
	for k, on := range map[string]bool{"mirrors": sp.Mirrors, "barres": sp.Barres, "sound_system": sp.SoundSystem,
		"changing_rooms": sp.ChangingRooms, "climate_control": sp.ClimateControl, "obstructions": sp.Obstructions,
		"instant_book": sp.InstantBook} {
		if on {
			f[k] = "true"
		}
	}
	for _, p := range sp.Prices {
		f["price_"+p.Tier] = fmt.Sprintf("%d.%02d", p.PencePerHour/100, p.PencePerHour%100)
	}
	for _, oh := range sp.OpeningHours {
		f["opens_"+oh.Day], f["closes_"+oh.Day] = oh.Opens, oh.Closes
	}
	return f
}

// oneAPeriod reports whether every day has at most one opening period.
func oneAPeriod(hours []api.OpeningHours) bool {
	seen := map[string]bool{}
	for _, oh := range hours {
		if seen[oh.Day] {
			return false
		}
		seen[oh.Day] = true
	}
	return true
}

// editSpaceForm: a room's profile, prices and hours, to change.
func (h *Handler) editSpaceForm(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	sp, ok := h.ownSpace(w, r)
	if !ok {
		return
	}
	v := &editView{Space: *sp, Form: spaceForm(sp), Errors: map[string]string{}, HoursEditable: oneAPeriod(sp.OpeningHours)}
	h.showEdit(w, r, http.StatusOK, v)
}

func (h *Handler) showEdit(w http.ResponseWriter, r *http.Request, status int, v *editView) {
	v.Kinds, v.Floors, v.Days = matching.SpaceKinds, matching.Floors, weekDays
	var groups api.GroupResult
	if err := h.get(r, "/v1/spaces/"+url.PathEscape(v.Space.ID)+"/groups", nil, &groups); err != nil {
		// The room's form is still of use without the groups.
		if st := statusOf(err); st != 0 && st < 500 {
			h.pageError(w, r, err)
			return
		}
		h.log.Warn("groups for a room failed", "space", v.Space.ID, "error", err.Error())
	} else {
		v.Groups = &groups
	}
	h.render(w, r, status, "room-edit", view{Title: "Change " + v.Space.Name, Nav: "rooms", D: v,
		Scripts: []string{"/static/stars.js"}})
}

// editSpace saves the room's form (a PATCH: the API keeps what the form
// does not carry) and shows the room with its stars.
func (h *Handler) editSpace(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	sp, ok := h.ownSpace(w, r)
	if !ok {
		return
	}
	v := &editView{Space: *sp, Form: formFields(r, spaceFormFields...), Errors: map[string]string{},
		HoursEditable: oneAPeriod(sp.OpeningHours)}
	body := spaceBody(r, v.Form, v.Errors)
	if v.HoursEditable {
		hours := []map[string]string{}
		for _, d := range weekDays {
			opens, closes := strings.TrimSpace(r.PostFormValue("opens_"+d)), strings.TrimSpace(r.PostFormValue("closes_"+d))
			v.Form["opens_"+d], v.Form["closes_"+d] = opens, closes
			if opens == "" && closes == "" {
				continue
			}
			hours = append(hours, map[string]string{"day": d, "opens": opens, "closes": closes})
		}
		body["opening_hours"] = hours
	}
	if len(v.Errors) > 0 {
		h.showEdit(w, r, http.StatusBadRequest, v)
		return
	}
	if err := h.call(r, http.MethodPatch, "/v1/spaces/"+url.PathEscape(sp.ID), nil, body, nil); err != nil {
		e, ok := err.(*apiError)
		if !ok || e.Status >= 500 || e.Status == http.StatusNotFound {
			h.pageError(w, r, err)
			return
		}
		for _, fe := range e.Problem.Errors {
			v.Errors[editField(fe.Field)] = fe.Message
		}
		if len(e.Problem.Errors) == 0 {
			v.Message = cleanDetail(e.Problem.Detail, e.Problem.Title)
		}
		h.showEdit(w, r, e.Status, v)
		return
	}
	redirect(w, r, "/spaces/"+url.PathEscape(sp.ID)+"#stars")
}

// editField is the form field, or group of fields, of an API field.
func editField(field string) string {
	switch {
	case strings.HasPrefix(field, "opening_hours"):
		return "hours"
	case strings.HasPrefix(field, "prices"):
		return "prices"
	}
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		return field[i+1:]
	}
	return field
}

// starsAnswer is the rating of a room's profile as typed.
type starsAnswer struct {
	Stars int      `json:"stars"`
	Lost  []string `json:"lost"`
}

// stars rates the room profile in the query by the fit-to-dance rubric,
// for the room forms' live rating (static/stars.js); the rule is
// matching's, as for a saved room.
func (h *Handler) stars(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	area, _ := strconv.ParseFloat(q.Get("floor_area_m2"), 64)
	sp := matching.Space{Floor: matching.Floor(q.Get("floor")), FloorAreaM2: area,
		ClimateControl: q.Get("climate_control") == "true", Obstructions: q.Get("obstructions") == "true",
		Barres: q.Get("barres") == "true", Mirrors: q.Get("mirrors") == "true"}
	out := starsAnswer{Stars: sp.FitToDance(), Lost: []string{}}
	for _, l := range sp.FitToDanceBreakdown() {
		out.Lost = append(out.Lost, plural(l.StarsLost, "star", "stars")+": "+l.Detail)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	json.NewEncoder(w).Encode(out)
}

// addClosure closes the room from one day to another (whole days, local
// time), keeping its other closures.
func (h *Handler) addClosure(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	sp, ok := h.ownSpace(w, r)
	if !ok {
		return
	}
	from, err1 := time.ParseInLocation(matching.DateLayout, r.PostFormValue("from"), london)
	until, err2 := time.ParseInLocation(matching.DateLayout, r.PostFormValue("until"), london)
	if err1 != nil || err2 != nil || until.Before(from) {
		h.errorPage(w, r, http.StatusBadRequest, "Give the first and the last day of the closure, the last not before the first. Go back to change it.")
		return
	}
	closures := append(sp.Closures, api.Closure{Start: from.Format(time.RFC3339),
		End: until.AddDate(0, 0, 1).Format(time.RFC3339), Reason: strings.TrimSpace(r.PostFormValue("reason"))})
	h.saveClosures(w, r, sp.ID, closures)
}

// removeClosure reopens the room for one of its closures.
func (h *Handler) removeClosure(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	sp, ok := h.ownSpace(w, r)
	if !ok {
		return
	}
	i, err := strconv.Atoi(r.PathValue("index"))
	if err != nil || i < 0 || i >= len(sp.Closures) {
		h.errorPage(w, r, http.StatusNotFound, "That closure is no longer there.")
		return
	}
	h.saveClosures(w, r, sp.ID, slices.Delete(slices.Clone(sp.Closures), i, i+1))
}

func (h *Handler) saveClosures(w http.ResponseWriter, r *http.Request, id string, closures []api.Closure) {
	if closures == nil {
		closures = []api.Closure{}
	}
	if err := h.call(r, http.MethodPatch, "/v1/spaces/"+url.PathEscape(id), nil, map[string]any{"closures": closures}, nil); err != nil {
		h.formError(w, r, err)
		return
	}
	redirect(w, r, "/dashboard/rooms/spaces/"+url.PathEscape(id)+"#closures")
}
