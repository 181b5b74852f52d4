package web

import (
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"time"

	"commonground/api"
	"commonground/matching"
)

// calendarWeeks is how far ahead a room's page shows its times.
const calendarWeeks = 8

// dayTimes is one day of a room's calendar: when it is open, and what is
// booked or closed then.
type dayTimes struct {
	Date   time.Time
	Open   []string // "09:00 to 17:30"
	Booked []string // "18:00 to 20:00"
	Closed string   // the closure's reason, when closed
	// Later says the day is past the room's booking horizon: it cannot
	// be booked yet.
	Later bool
}

// spaceView is the data of a room's page.
type spaceView struct {
	Space   api.Space
	Venue   api.Venue
	Owner   api.Organisation
	Hours   [][2]string // day name, "09:00 to 17:30"
	Days    []dayTimes
	Search  template.URL // the search the visitor came from, as a query
	Booking bookingForm
	// Conflicts are the sessions a booking could not take, after a 409.
	Conflicts []api.SessionConflict
	Errors    map[string]string
	// Refusals are the API's other reasons for refusing, as sentences.
	Refusals []string
	// Quote is what the form would book and cost, before confirming.
	Quote *api.BookingEnvelope
	// Own says the visitor's organisation owns the room.
	Own bool
}

// bookingForm is a booking as typed: a weekly series.
type bookingForm struct {
	Day, Start, End, From, Count, Purpose, Tier string
	SkipConflicts                               bool
}

// space: a room's profile, stars, prices, access, hours, the next weeks'
// times and, for someone signed in, a booking form.
func (h *Handler) space(w http.ResponseWriter, r *http.Request) {
	f := readSearch(r.URL.Query(), h.today())
	v := &spaceView{Errors: map[string]string{},
		Booking: bookingForm{Day: f.Day, Start: f.Start, End: f.End, From: f.From, Count: f.Count, Tier: f.Tier}}
	if r.URL.Query().Get("place") != "" {
		v.Search = f.QueryString()
	}
	h.showSpace(w, r, http.StatusOK, v)
}

// showSpace loads the room of the path into v and renders its page.
func (h *Handler) showSpace(w http.ResponseWriter, r *http.Request, status int, v *spaceView) {
	id := r.PathValue("id")
	if err := h.get(r, "/v1/spaces/"+url.PathEscape(id), nil, &v.Space); err != nil {
		h.pageError(w, r, err)
		return
	}
	if err := h.get(r, "/v1/venues/"+url.PathEscape(v.Space.VenueID), nil, &v.Venue); err != nil {
		h.pageError(w, r, err)
		return
	}
	if err := h.get(r, "/v1/organisations/"+url.PathEscape(v.Space.OrganisationID), nil, &v.Owner); err != nil {
		h.pageError(w, r, err)
		return
	}
	if s := sessionOf(r); s != nil {
		v.Own = s.OrgID == v.Space.OrganisationID
	}
	v.Hours = hoursTable(v.Space.OpeningHours)
	days, err := h.nextWeeks(r, &v.Space, v.Venue.Timezone)
	if err != nil {
		h.pageError(w, r, err)
		return
	}
	v.Days = days
	h.render(w, r, status, "space", view{Title: v.Space.Name + " at " + v.Venue.Name, D: v})
}

// hoursTable lists opening periods by day, Monday first.
func hoursTable(hours []api.OpeningHours) [][2]string {
	var out [][2]string
	for _, d := range weekDays {
		for _, oh := range hours {
			if oh.Day == d {
				out = append(out, [2]string{dayName(d), oh.Opens + " to " + oh.Closes})
			}
		}
	}
	return out
}

// nextWeeks lays out the room's next weeks day by day: its opening
// periods (in the venue's time zone), its confirmed bookings and its
// closures. Days it never opens are left out.
func (h *Handler) nextWeeks(r *http.Request, s *api.Space, tz string) ([]dayTimes, error) {
	loc, err := matching.LoadLocation(tz)
	if err != nil {
		loc = london
	}
	now := h.now()
	var booked []matching.CalendarEntry
	if h.calendar != nil {
		cal, err := h.calendar.SpaceCalendar(r.Context(), s.ID, now)
		if err != nil {
			return nil, err
		}
		booked = cal.Entries
	}
	sort.Slice(booked, func(i, j int) bool { return booked[i].Start.Before(booked[j].Start) })
	y, m, d := now.In(loc).Date()
	// Booking refuses a session that starts past now plus the horizon.
	limit := now.Add(time.Duration(max(s.BookingHorizonDays, 1)) * 24 * time.Hour)
	var out []dayTimes
	for i := range calendarWeeks * 7 {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, loc)
		next := time.Date(y, m, d+i+1, 0, 0, 0, 0, loc)
		dt := dayTimes{Date: day, Later: day.After(limit)}
		wd := weekDays[(int(day.Weekday())+6)%7]
		for _, oh := range s.OpeningHours {
			if oh.Day == wd {
				dt.Open = append(dt.Open, oh.Opens+" to "+oh.Closes)
			}
		}
		if len(dt.Open) == 0 {
			continue
		}
		for _, c := range s.Closures {
			cs, ok1 := parseTime(c.Start)
			ce, ok2 := parseTime(c.End)
			if ok1 && ok2 && cs.Before(next) && ce.After(day) {
				dt.Closed = orDefault(c.Reason, "closed")
			}
		}
		for _, b := range booked {
			if b.Start.Before(next) && b.End.After(day) {
				dt.Booked = append(dt.Booked, b.Start.In(loc).Format("15:04")+" to "+b.End.In(loc).Format("15:04"))
			}
		}
		out = append(out, dt)
	}
	return out, nil
}

// venueView is the data of a venue's page.
type venueView struct {
	Venue  api.Venue
	Owner  api.Organisation
	Spaces []api.Space
}

type spaceList struct {
	Items []api.Space `json:"items"`
}

type venueList struct {
	Items []api.Venue `json:"items"`
}

// venue: a building, its access and its rooms.
func (h *Handler) venue(w http.ResponseWriter, r *http.Request) {
	var v venueView
	id := url.PathEscape(r.PathValue("id"))
	if err := h.get(r, "/v1/venues/"+id, nil, &v.Venue); err != nil {
		h.pageError(w, r, err)
		return
	}
	var spaces spaceList
	if err := h.get(r, "/v1/venues/"+id+"/spaces", url.Values{"limit": {"100"}}, &spaces); err != nil {
		h.pageError(w, r, err)
		return
	}
	v.Spaces = spaces.Items
	if err := h.get(r, "/v1/organisations/"+url.PathEscape(v.Venue.OrganisationID), nil, &v.Owner); err != nil {
		h.pageError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "venue", view{Title: v.Venue.Name, D: &v})
}

// organisationView is the data of an organisation's public page.
type organisationView struct {
	Org    api.Organisation
	Venues []api.Venue
	Labels map[string]string
}

// organisation: what it is, where, its values, its rooms, offers and needs.
func (h *Handler) organisation(w http.ResponseWriter, r *http.Request) {
	v := organisationView{Labels: h.labels()}
	id := r.PathValue("id")
	if err := h.get(r, "/v1/organisations/"+url.PathEscape(id), nil, &v.Org); err != nil {
		h.pageError(w, r, err)
		return
	}
	var venues venueList
	if err := h.get(r, "/v1/venues", url.Values{"organisation_id": {v.Org.ID}, "limit": {"100"}}, &venues); err != nil {
		h.pageError(w, r, err)
		return
	}
	v.Venues = venues.Items
	h.render(w, r, http.StatusOK, "organisation", view{Title: v.Org.Name, D: &v})
}

// labels names every slug of the taxonomy in words.
func (h *Handler) labels() map[string]string {
	out := map[string]string{}
	for _, list := range [][]matching.Term{h.tax.Categories, h.tax.Values, h.tax.Practices, h.tax.Activities} {
		for _, t := range list {
			out[t.Slug] = t.Label
		}
	}
	return out
}
