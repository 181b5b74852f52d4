package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"commonground/api"
)

// readBooking reads the room's booking form into its typed form and the
// API's booking body; a count that is not a number is an error on v.
func readBooking(r *http.Request, v *spaceView) (map[string]any, bool) {
	f := bookingForm{Day: r.PostFormValue("day"), Start: r.PostFormValue("start"), End: r.PostFormValue("end"),
		From: r.PostFormValue("from"), Count: r.PostFormValue("count"), Purpose: strings.TrimSpace(r.PostFormValue("purpose")),
		Tier: r.PostFormValue("tier"), SkipConflicts: r.PostFormValue("skip_conflicts") == "true"}
	v.Booking = f
	count, err := strconv.Atoi(f.Count)
	if err != nil {
		v.Errors["count"] = "must be a whole number of weeks"
		return nil, false
	}
	body := map[string]any{
		"weekly":  map[string]any{"day": f.Day, "start": f.Start, "end": f.End, "from": f.From, "count": count},
		"purpose": f.Purpose, "skip_conflicts": f.SkipConflicts,
	}
	if f.Tier != "" {
		body["tier"] = f.Tier
	}
	return body, true
}

// apiTimes finds the API's RFC 3339 times in a message, to write them as
// local days and times.
var apiTimes = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)`)

// bookingFields are the booking form's fields that show their own error.
var bookingFields = map[string]bool{"day": true, "start": true, "end": true, "from": true, "count": true, "tier": true}

// refused shows the API's refusal of a quote or booking on the room's
// page: the sessions that clash (409), the fields at fault and any other
// reason (422, 400) as sentences.
func (h *Handler) refused(w http.ResponseWriter, r *http.Request, v *spaceView, err error) {
	e, ok := err.(*apiError)
	if !ok || e.Status >= 500 || e.Status == http.StatusNotFound || e.Status == http.StatusUnauthorized {
		h.pageError(w, r, err)
		return
	}
	v.Conflicts = e.Problem.Conflicts
	v.Errors = map[string]string{}
	seen := map[string]bool{}
	for _, fe := range e.Problem.Errors {
		name := fe.Field
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			name = name[i+1:]
		}
		msg := apiTimes.ReplaceAllStringFunc(fe.Message, when)
		switch {
		case strings.HasPrefix(fe.Field, "sessions["):
			// One session of the series: past the horizon, say.
			if m := sentence("a session " + msg); !seen[m] {
				seen[m] = true
				v.Refusals = append(v.Refusals, m)
			}
		case bookingFields[name]:
			if _, ok := v.Errors[name]; !ok {
				v.Errors[name] = msg
			}
		default:
			v.Refusals = append(v.Refusals, sentence(fe.Field+" "+msg))
		}
	}
	if len(v.Errors) == 0 && len(v.Conflicts) == 0 && len(v.Refusals) == 0 {
		v.Errors["form"] = cleanDetail(e.Problem.Detail, e.Problem.Title)
	}
	h.showSpace(w, r, e.Status, v)
}

// quote asks the API what booking the room's form would make and cost,
// and shows it with a button to confirm; nothing is booked yet.
func (h *Handler) quote(w http.ResponseWriter, r *http.Request) {
	if out, v, ok := h.sendBooking(w, r, "quote"); ok {
		v.Quote = out
		h.showSpace(w, r, http.StatusOK, v)
	}
}

// book asks the API to book a room for a weekly series from the room's
// form (the quote's confirm button); a clash shows the sessions that
// clash, on the room's page.
func (h *Handler) book(w http.ResponseWriter, r *http.Request) {
	if out, _, ok := h.sendBooking(w, r, "bookings"); ok {
		redirect(w, r, "/dashboard/bookings/"+url.PathEscape(out.Booking.ID))
	}
}

// sendBooking posts the room's booking form to the room's endpoint
// (quote or bookings) and returns the answer, with the page's view; when
// it reports false it has answered already (sign in first, the form
// again with what was wrong, or the API's refusal).
func (h *Handler) sendBooking(w http.ResponseWriter, r *http.Request, endpoint string) (*api.BookingEnvelope, *spaceView, bool) {
	if sessionOf(r) == nil {
		redirect(w, r, "/signin?next="+url.QueryEscape("/spaces/"+r.PathValue("id")+"#book"))
		return nil, nil, false
	}
	v := &spaceView{Errors: map[string]string{}}
	body, ok := readBooking(r, v)
	if !ok {
		h.showSpace(w, r, http.StatusBadRequest, v)
		return nil, nil, false
	}
	var out api.BookingEnvelope
	if err := h.call(r, http.MethodPost, "/v1/spaces/"+url.PathEscape(r.PathValue("id"))+"/"+endpoint, nil, body, &out); err != nil {
		h.refused(w, r, v, err)
		return nil, nil, false
	}
	return &out, v, true
}

// bookingActions are the changes a booking's party may ask for from the
// dashboard, with the API's method and path for each.
var bookingActions = map[string]struct{ method, suffix string }{
	"approve": {http.MethodPost, "/approve"},
	"decline": {http.MethodPost, "/decline"},
	"cancel":  {http.MethodDelete, ""},
}

// bookingAction approves, declines or cancels a booking; the API decides
// who may.
func (h *Handler) bookingAction(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	a, ok := bookingActions[r.PathValue("action")]
	if !ok {
		h.errorPage(w, r, http.StatusNotFound, "We could not find that page.")
		return
	}
	id := url.PathEscape(r.PathValue("id"))
	if err := h.call(r, a.method, "/v1/bookings/"+id+a.suffix, nil, nil, nil); err != nil {
		h.pageError(w, r, err)
		return
	}
	redirect(w, r, localPath(r.PostFormValue("next"), "/dashboard/bookings/"+id))
}

// bookingView is the data of one booking's page.
type bookingView struct {
	Booking  api.Booking
	Space    api.Space
	Booker   api.Organisation
	Owner    bool
	Messages []api.Message
	// Cancellable marks the sessions still to come, which either party
	// may cancel one by one.
	Cancellable []bool
}

type messageList struct {
	Items []api.Message `json:"items"`
}

// bookingPage: one booking, its sessions, what its parties may do, and
// their messages.
func (h *Handler) bookingPage(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	var v bookingView
	id := url.PathEscape(r.PathValue("id"))
	var env api.BookingEnvelope
	if err := h.get(r, "/v1/bookings/"+id, nil, &env); err != nil {
		h.pageError(w, r, err)
		return
	}
	v.Booking = env.Booking
	if err := h.get(r, "/v1/spaces/"+url.PathEscape(v.Booking.SpaceID), nil, &v.Space); err != nil {
		h.pageError(w, r, err)
		return
	}
	if err := h.get(r, "/v1/organisations/"+url.PathEscape(v.Booking.OrganisationID), nil, &v.Booker); err != nil {
		h.pageError(w, r, err)
		return
	}
	var msgs messageList
	if err := h.get(r, "/v1/bookings/"+id+"/messages", url.Values{"limit": {"100"}}, &msgs); err != nil {
		h.pageError(w, r, err)
		return
	}
	v.Messages = msgs.Items
	v.Owner = sessionOf(r).OrgID == v.Booking.SpaceOwnerID
	now := h.now()
	live := v.Booking.Status == "confirmed" || v.Booking.Status == "requested"
	for _, o := range v.Booking.Occurrences {
		t, ok := parseTime(o.Start)
		v.Cancellable = append(v.Cancellable, live && ok && t.After(now) && (o.Status == "confirmed" || o.Status == "requested"))
	}
	h.render(w, r, http.StatusOK, "booking", view{Title: "Booking of " + v.Space.Name, Nav: "dashboard", D: &v})
}

// cancelSession cancels one session of a booking; the API decides who
// may, and whether it has begun.
func (h *Handler) cancelSession(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	id := url.PathEscape(r.PathValue("id"))
	index, err := strconv.Atoi(r.PathValue("index"))
	if err != nil || index < 0 {
		h.errorPage(w, r, http.StatusNotFound, "We could not find that page.")
		return
	}
	if err := h.call(r, http.MethodPost, "/v1/bookings/"+id+"/occurrences/"+strconv.Itoa(index)+"/cancel", nil, nil, nil); err != nil {
		h.formError(w, r, err)
		return
	}
	redirect(w, r, "/dashboard/bookings/"+id)
}

// postMessage adds a message to a booking's conversation.
func (h *Handler) postMessage(w http.ResponseWriter, r *http.Request) {
	if !h.requireSession(w, r) {
		return
	}
	id := url.PathEscape(r.PathValue("id"))
	body := map[string]string{"body": r.PostFormValue("body")}
	if err := h.call(r, http.MethodPost, "/v1/bookings/"+id+"/messages", nil, body, nil); err != nil {
		h.pageError(w, r, err)
		return
	}
	redirect(w, r, "/dashboard/bookings/"+id+"#messages")
}

// requireSession sends someone not signed in to the sign-in page and
// reports whether the request may go on.
func (h *Handler) requireSession(w http.ResponseWriter, r *http.Request) bool {
	if s := sessionOf(r); s != nil {
		if s.OrgID == "" {
			h.errorPage(w, r, http.StatusForbidden, "You are not a member of any organisation yet: register one, or accept an invitation from a colleague.")
			return false
		}
		return true
	}
	next := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		next = "/dashboard"
	}
	redirect(w, r, "/signin?next="+url.QueryEscape(next))
	return false
}
