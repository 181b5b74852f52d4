package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"commonground/api"
	"commonground/store"
)

// ownRoom registers an organisation with one room open every Wednesday
// 09:00–21:00 at the given prices (pounds a hour by tier, as the form
// takes them), and returns the room's id.
func ownRoom(t *testing.T, s *site, prices url.Values) string {
	t.Helper()
	_, id := ownRoomBy(t, s, prices)
	return id
}

// ownRoomBy is ownRoom, with the owner's browser, signed in.
func ownRoomBy(t *testing.T, s *site, prices url.Values) (*browser, string) {
	t.Helper()
	b, _ := s.register(t, "Wednesday Hall Trust")
	if p := b.post("/dashboard/rooms/venues", url.Values{"name": {"Wednesday Hall"}, "address": {"2 Market Street"},
		"place": {"Ely"}}); p.status != http.StatusSeeOther {
		t.Fatalf("add a building: got %d\n%.2000s", p.status, p.body)
	}
	venueID := find(t, b.get("/dashboard/rooms").body, `action="/dashboard/rooms/venues/([0-9a-f-]+)/spaces"`, "form to add a room")
	form := url.Values{"name": {"Studio"}, "kind": {"studio"}, "capacity": {"30"}, "floor_area_m2": {"80"},
		"floor": {"sprung"}, "instant_book": {"true"}, "day": {"wed"}, "opens": {"09:00"}, "closes": {"21:00"}}
	for k, v := range prices {
		form[k] = v
	}
	p := b.post("/dashboard/rooms/venues/"+venueID+"/spaces", form)
	if p.status != http.StatusSeeOther {
		t.Fatalf("add a room: got %d\n%.2000s", p.status, p.body)
	}
	return b, strings.TrimSuffix(strings.TrimPrefix(p.header.Get("Location"), "/spaces/"), "#stars")
}

// hiddenFields reads the hidden inputs of the form posting to action.
func hiddenFields(t *testing.T, body, action string) url.Values {
	t.Helper()
	i := strings.Index(body, `action="`+action+`"`)
	if i < 0 {
		t.Fatalf("no form to %s in:\n%.3000s", action, body)
	}
	form := body[i:]
	form = form[:strings.Index(form, "</form>")]
	out := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`).FindAllStringSubmatch(form, -1) {
		out.Add(m[1], m[2])
	}
	return out
}

// TestQuoteBeforeBookingWithoutJavaScript: the room's form, with a rate
// chosen, first shows the quote (each session's price and the total);
// its "Confirm booking" button books what was quoted; clashes and
// refusals (a tier the room does not price, a session past its horizon)
// come back as sentences.
func TestQuoteBeforeBookingWithoutJavaScript(t *testing.T) {
	s := demoSite(t, store.SQLite)
	spaceID := ownRoom(t, s, url.Values{"price_community": {"22"}, "price_standard": {"30.50"}})
	booker, _ := s.register(t, "Quote Dance Collective")
	room := booker.get("/spaces/" + spaceID)
	for _, want := range []string{regexp.QuoteMeta(`action="/spaces/` + spaceID + `/quote"`), `<label for="b-tier">`,
		`<option value="community"( selected)?>£22 an hour \(community rate\)</option>`, `<option value="standard"( selected)?>£30\.50 an hour \(standard rate\)</option>`} {
		if !regexp.MustCompile(want).MatchString(room.body) {
			t.Fatalf("the room's booking form lacks %s:\n%.4000s", want, room.body)
		}
	}

	// Coming from a search at the standard rate, that rate is chosen.
	if p := booker.get("/spaces/" + spaceID + "?tier=standard"); !strings.Contains(p.body, `<option value="standard" selected>`) {
		t.Errorf("the search's rate is not chosen on the booking form")
	}

	// The next Wednesday at least a week away, 10:00–12:00, for 3 weeks.
	from := time.Now().AddDate(0, 0, 7)
	for from.Weekday() != time.Wednesday {
		from = from.AddDate(0, 0, 1)
	}
	form := url.Values{"day": {"wed"}, "start": {"10:00"}, "end": {"12:00"}, "from": {from.Format("2006-01-02")},
		"count": {"3"}, "purpose": {"Contemporary & jazz <class>"}, "tier": {"community"}}
	q := booker.post("/spaces/"+spaceID+"/quote", form)
	if q.status != http.StatusOK || !strings.Contains(q.body, `id="quote">Your quote</h3>`) {
		t.Fatalf("quote: got %d, want 200 with the quote\n%.4000s", q.status, q.body)
	}
	perSession, sessions := 2*22*100, 3
	if got := strings.Count(q.body, "<td>"+poundsOf(perSession)+"</td>"); got != sessions {
		t.Errorf("the quote shows %d sessions at %s, want %d\n%.4000s", got, poundsOf(perSession), sessions, q.body)
	}
	if want := "Total: <strong>" + poundsOf(perSession*sessions) + "</strong>"; !strings.Contains(q.body, want) {
		t.Errorf("the quote lacks %q", want)
	}
	if !strings.Contains(q.body, from.Format("Mon 2 Jan 2006")+", 10:00 to 12:00") {
		t.Errorf("the quote does not say the first session in words")
	}
	if strings.Contains(q.body, "<class>") {
		t.Errorf("the purpose is not escaped")
	}
	confirm := hiddenFields(t, q.body, "/spaces/"+spaceID+"/book")
	if confirm.Get("csrf_token") == "" || confirm.Get("tier") != "community" || confirm.Get("purpose") != "Contemporary &amp; jazz &lt;class&gt;" {
		t.Errorf("the confirm form carries %v", confirm)
	}
	if !strings.Contains(q.body, `id="confirm-booking">Confirm booking</button>`) {
		t.Errorf("no Confirm booking button")
	}
	// Nothing is booked by a quote: the same quote again does not clash.
	if again := booker.post("/spaces/"+spaceID+"/quote", form); again.status != http.StatusOK {
		t.Fatalf("a second quote: got %d, want 200 (the first booked nothing)\n%.3000s", again.status, again.body)
	}

	// Confirm: the booking is made as quoted.
	for _, k := range []string{"day", "start", "end", "from", "count", "tier"} {
		form.Set(k, confirm.Get(k))
	}
	form.Set("purpose", "Contemporary & jazz <class>")
	booked := booker.post("/spaces/"+spaceID+"/book", form)
	if booked.status != http.StatusSeeOther || !strings.HasPrefix(booked.header.Get("Location"), "/dashboard/bookings/") {
		t.Fatalf("confirm booking: got %d to %q\n%.3000s", booked.status, booked.header.Get("Location"), booked.body)
	}
	stored, err := s.app.DB.GetBooking(t.Context(), strings.TrimPrefix(booked.header.Get("Location"), "/dashboard/bookings/"))
	if err != nil || string(stored.Tier) != "community" || stored.TotalPence() != perSession*sessions || len(stored.Occurrences) != sessions {
		t.Fatalf("stored booking: %+v %v; want %d sessions at the community rate, %d pence", stored, err, sessions, perSession*sessions)
	}

	// The same times again clash: said in words, session by session.
	other, _ := s.register(t, "Second Booker Company")
	form.Del("csrf_token") // post fills in the browser's own
	clash := other.post("/spaces/"+spaceID+"/quote", form)
	if clash.status != http.StatusConflict || !strings.Contains(clash.body, from.Format("Mon 2 Jan 2006")+", 10:00 to 12:00: already booked") {
		t.Errorf("a clashing quote: got %d, want 409 saying the sessions are already booked\n%.4000s", clash.status, clash.body)
	}
	// A rate the room does not have.
	form.Set("tier", "commercial")
	refused := other.post("/spaces/"+spaceID+"/quote", form)
	if refused.status != http.StatusUnprocessableEntity || !strings.Contains(refused.body, "The space has no commercial price") {
		t.Errorf("an unpriced tier: got %d, want 422 saying so\n%.4000s", refused.status, refused.body)
	}
	// Sessions past the room's horizon (a year by default).
	late := time.Now().AddDate(0, 0, 360)
	form.Set("tier", "standard")
	form.Set("from", late.Format("2006-01-02"))
	form.Set("count", "4")
	refused = other.post("/spaces/"+spaceID+"/book", form)
	if refused.status != http.StatusUnprocessableEntity || !strings.Contains(refused.body, "A session is past the space&#39;s booking horizon: sessions may start until ") {
		t.Errorf("past the horizon: got %d, want 422 saying so\n%.4000s", refused.status, refused.body)
	}
	if regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:`).MatchString(refused.body) {
		t.Errorf("the refusal shows a machine time:\n%.4000s", refused.body)
	}
	// Without the form's token, no quote.
	form.Set("csrf_token", "")
	if p := other.post("/spaces/"+spaceID+"/quote", form); p.status != http.StatusForbidden {
		t.Errorf("a quote without a CSRF token: got %d, want 403", p.status)
	}
}

// TestQuoteOfAFreeRoom: a room with no prices has no rate to choose and
// its quote says it is free.
func TestQuoteOfAFreeRoom(t *testing.T) {
	s := demoSite(t, store.SQLite)
	spaceID := ownRoom(t, s, nil)
	b, _ := s.register(t, "Free Room Dancers")
	if p := b.get("/spaces/" + spaceID); strings.Contains(p.body, `name="tier"`) {
		t.Errorf("a room with no prices offers a rate to choose")
	}
	q := b.post("/spaces/"+spaceID+"/quote", url.Values{"day": {"wed"}, "start": {"10:00"}, "end": {"11:00"},
		"from": {nextWeek()}, "count": {"2"}})
	if q.status != http.StatusOK || !strings.Contains(q.body, "free to book") || !strings.Contains(q.body, "Total: <strong>£0</strong>") {
		t.Errorf("the quote of a free room: got %d\n%.4000s", q.status, q.body)
	}
}

// poundsOf writes pence as the pages do.
func poundsOf(pence int) string {
	if pence%100 == 0 {
		return "£" + itoa(pence/100)
	}
	return "£" + itoa(pence/100) + "." + strings.TrimPrefix(itoa(100+pence%100), "1")
}

// TestBookingRulesOnTheRoomPages: the owner sets a room's booking rules
// on its edit page; a bad one comes back beside its field, nothing
// saved; the room's page says them, and marks the days past the horizon.
func TestBookingRulesOnTheRoomPages(t *testing.T) {
	s := demoSite(t, store.SQLite)
	owner, spaceID := ownRoomBy(t, s, nil)
	edit := owner.get("/dashboard/rooms/spaces/" + spaceID)
	form := url.Values{}
	for _, k := range []string{"name", "capacity", "floor_area_m2", "opens_wed", "closes_wed"} {
		form.Set(k, find(t, edit.body, `(?:name|id)="`+k+`"[^>]*value="([^"]*)"`, k))
	}
	form.Set("floor", "sprung")
	form.Set("kind", "studio")
	form.Set("booking_horizon_days", "0")
	form.Set("turnaround_minutes", "20")
	if p := owner.post("/dashboard/rooms/spaces/"+spaceID, form); p.status != http.StatusBadRequest ||
		!strings.Contains(p.body, `id="booking_horizon_days"`) || !strings.Contains(p.body, `<p class="error">`) {
		t.Fatalf("a horizon of 0 days: got %d\n%.3000s", p.status, p.body)
	}
	var sp api.Space
	s.api(t, "GET", "/v1/spaces/"+spaceID, "", nil, &sp)
	if sp.TurnaroundMinutes != 0 || sp.BookingHorizonDays != 365 {
		t.Fatalf("a refused form saved something: turnaround %d, horizon %d", sp.TurnaroundMinutes, sp.BookingHorizonDays)
	}
	form.Set("booking_horizon_days", "10")
	form.Set("max_hours_per_organisation", "12")
	if p := owner.post("/dashboard/rooms/spaces/"+spaceID, form); p.status != http.StatusSeeOther {
		t.Fatalf("save the rules: got %d\n%.3000s", p.status, p.body)
	}
	s.api(t, "GET", "/v1/spaces/"+spaceID, "", nil, &sp)
	if sp.TurnaroundMinutes != 20 || sp.BookingHorizonDays != 10 || sp.MaxHoursPerOrganisation != 12 {
		t.Fatalf("saved turnaround %d, horizon %d, cap %d; want 20, 10, 12", sp.TurnaroundMinutes, sp.BookingHorizonDays, sp.MaxHoursPerOrganisation)
	}
	page := s.browser(t).get("/spaces/" + spaceID).body
	if !strings.Contains(page, "up to 10 days ahead, and keeps 20 minutes free before and after each one") {
		t.Errorf("the room's page does not say its rules:\n%.4000s", page)
	}
	// Wednesdays within 10 days can be booked; the later ones, of the 8
	// weeks shown, cannot yet.
	rows := regexp.MustCompile(`<tr><td>(Wed [^<]+)</td>\s*<td[^>]*>([^<]*)</td>`).FindAllStringSubmatch(page, -1)
	var now, later int
	for _, r := range rows {
		if r[2] == "Too far ahead to book yet" {
			later++
		} else {
			now++
		}
	}
	if len(rows) != 8 || now < 1 || now > 2 || later != 8-now {
		t.Errorf("of the Wednesdays %q, want one or two bookable and the rest too far ahead", rows)
	}
}
