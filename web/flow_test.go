package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"commonground/api"
	"commonground/seed"
	"commonground/store"
)

// TestBookingFlowWithoutJavaScript: search by town → open a room → sign
// in (register) → book → the owner approves on their dashboard → the
// booker sees it confirmed, all by plain links and form posts.
func TestBookingFlowWithoutJavaScript(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		visitor := s.browser(t)
		home := visitor.get("/")
		if home.status != http.StatusOK || !strings.Contains(home.body, `action="/find"`) {
			t.Fatalf("GET /: got %d, want 200 with the search form\n%.2000s", home.status, home.body)
		}
		search := url.Values{"place": {"Cambridge"}, "activity": {"contemporary"}, "group_size": {"10"},
			"day": {"wed"}, "start": {"10:00"}, "end": {"11:00"}, "from": {nextWeek()}, "count": {"2"},
			"radius_km": {"15"}, "tier": {"standard"}}
		found := visitor.get("/find?" + search.Encode())
		if found.status != http.StatusOK {
			t.Fatalf("GET /find: got %d\n%.2000s", found.status, found.body)
		}
		// A room whose owner approves each request.
		var spaceID string
		var space api.Space
		for _, m := range regexp.MustCompile(`<h2><a href="/spaces/([0-9a-f-]+)\?`).FindAllStringSubmatch(found.body, -1) {
			var sp api.Space
			s.api(t, "GET", "/v1/spaces/"+m[1], "", nil, &sp)
			if !sp.InstantBook {
				spaceID, space = m[1], sp
				break
			}
		}
		if spaceID == "" {
			t.Fatalf("no room that needs approval among the matches:\n%.3000s", found.body)
		}
		room := visitor.get("/spaces/" + spaceID + "?" + search.Encode())
		if room.status != http.StatusOK || !strings.Contains(room.body, "Sign in</a> to book") {
			t.Fatalf("GET the room anonymously: got %d, want 200 asking to sign in\n%.2000s", room.status, room.body)
		}

		booker, _ := s.register(t, "Leaps and Bounds Dance")
		room = booker.get("/spaces/" + spaceID)
		if !strings.Contains(room.body, `action="/spaces/`+spaceID+`/quote"`) {
			t.Fatalf("signed in, the room has no booking form:\n%.3000s", room.body)
		}
		booked := booker.post("/spaces/"+spaceID+"/book", url.Values{"day": {"wed"}, "start": {"10:00"}, "end": {"11:00"},
			"from": {nextWeek()}, "count": {"2"}, "purpose": {"Youth contemporary class"}})
		if booked.status != http.StatusSeeOther {
			t.Fatalf("book: got %d, want 303\n%.3000s", booked.status, booked.body)
		}
		bookingPath := booked.header.Get("Location")
		bookingID := strings.TrimPrefix(bookingPath, "/dashboard/bookings/")
		if got := booker.get(bookingPath); !strings.Contains(got.body, "Waiting for the room") {
			t.Fatalf("the new booking: want it waiting for approval\n%.3000s", got.body)
		}

		owner := s.signIn(t, s.demoOwnerEmail(t, space.OrganisationID), seed.DemoPassword)
		dash := owner.get("/dashboard")
		approve := `action="/dashboard/bookings/` + bookingID + `/approve"`
		if dash.status != http.StatusOK || !strings.Contains(dash.body, approve) || !strings.Contains(dash.body, "Leaps and Bounds Dance") {
			t.Fatalf("owner's dashboard: got %d, want the request from Leaps and Bounds Dance to approve\n%.4000s", dash.status, dash.body)
		}
		if p := owner.post("/dashboard/bookings/"+bookingID+"/approve", url.Values{"next": {"/dashboard"}}); p.status != http.StatusSeeOther {
			t.Fatalf("approve: got %d, want 303\n%.2000s", p.status, p.body)
		}

		mine := booker.get(bookingPath)
		if !strings.Contains(mine.body, "Confirmed.") {
			t.Errorf("after approval the booker sees:\n%.3000s", mine.body)
		}
		// The page says what was stored.
		if got, err := s.app.DB.GetBooking(t.Context(), bookingID); err != nil || got.Status != "confirmed" {
			t.Errorf("stored booking: %+v %v, want confirmed", got, err)
		}
		if d := booker.get("/dashboard"); !strings.Contains(d.body, bookingPath) || !strings.Contains(d.body, "Coming up") {
			t.Errorf("booker's dashboard lacks the confirmed booking:\n%.3000s", d.body)
		}
		// The booker cancels the second week only.
		if p := booker.post(bookingPath+"/sessions/1/cancel", url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("cancel one session: got %d\n%.2000s", p.status, p.body)
		}
		if got, err := s.app.DB.GetBooking(t.Context(), bookingID); err != nil || got.Occurrences[0].Status != "confirmed" || got.Occurrences[1].Status != "cancelled" {
			t.Errorf("after cancelling the second session: %+v %v", got, err)
		}
	})
}

// TestAddRoomShowsItsStars: register → add a building → add a room → its
// page shows the stars the API gives it, and why it lost the others.
func TestAddRoomShowsItsStars(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		b, _ := s.register(t, "Fenland Youth Hall")
		p := b.post("/dashboard/rooms/venues", url.Values{"name": {"Fenland Youth Centre"}, "address": {"1 High Street"},
			"place": {"March"}, "step_free": {"true"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("add a building: got %d, want 303\n%.3000s", p.status, p.body)
		}
		rooms := b.get("/dashboard/rooms")
		venueID := find(t, rooms.body, `action="/dashboard/rooms/venues/([0-9a-f-]+)/spaces"`, "form to add a room")
		p = b.post("/dashboard/rooms/venues/"+venueID+"/spaces", url.Values{"name": {"Main hall"}, "kind": {"hall"},
			"capacity": {"40"}, "floor_area_m2": {"60"}, "floor": {"wood"}, "mirrors": {"true"},
			"price_community": {"12.50"}, "day": {"mon", "thu"}, "opens": {"09:00"}, "closes": {"21:00"}})
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/spaces/") {
			t.Fatalf("add a room: got %d to %q, want 303 to the room\n%.3000s", p.status, p.header.Get("Location"), p.body)
		}
		spaceID := strings.TrimSuffix(strings.TrimPrefix(p.header.Get("Location"), "/spaces/"), "#stars")
		var sp api.Space
		if st := s.api(t, "GET", "/v1/spaces/"+spaceID, "", nil, &sp); st != http.StatusOK {
			t.Fatalf("GET the new room from the API: %d", st)
		}
		if sp.Prices[0].PencePerHour != 1250 || len(sp.OpeningHours) != 2 {
			t.Errorf("stored room: prices %+v, hours %+v; want £12.50 community, Monday and Thursday", sp.Prices, sp.OpeningHours)
		}
		page := b.get("/spaces/" + spaceID)
		want := "Fit for dance: "
		if !strings.Contains(page.body, want) || !strings.Contains(page.body, "</span> "+itoa(sp.FitToDance)+" of 5 stars</h2>") {
			t.Errorf("the room's page does not show its %d stars:\n%.3000s", sp.FitToDance, page.body)
		}
		for _, l := range sp.FitToDanceBreakdown {
			if !strings.Contains(page.body, l.Detail) {
				t.Errorf("the room's page does not say it lost stars for %q", l.Detail)
			}
		}
		if len(sp.FitToDanceBreakdown) == 0 {
			t.Errorf("a wood-floored 60 m² hall lost no stars: %+v", sp)
		}
		if r := b.get("/dashboard/rooms"); !strings.Contains(r.body, `href="/spaces/`+spaceID+`"`) {
			t.Errorf("the rooms page does not list the new room")
		}

		// Change it: a sprung floor, 80 m²; Thursday's hours dropped.
		edit := b.get("/dashboard/rooms/spaces/" + spaceID)
		if edit.status != http.StatusOK || !strings.Contains(edit.body, `value="12.50"`) || !strings.Contains(edit.body, `name="opens_thu" value="09:00"`) {
			t.Fatalf("the edit page does not show the room as it is: %d\n%.3000s", edit.status, edit.body)
		}
		p = b.post("/dashboard/rooms/spaces/"+spaceID, url.Values{"name": {"Main hall"}, "kind": {"hall"},
			"capacity": {"40"}, "floor_area_m2": {"80"}, "floor": {"sprung"}, "mirrors": {"true"},
			"price_community": {"14"}, "opens_mon": {"09:00"}, "closes_mon": {"21:00"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("edit: got %d\n%.3000s", p.status, p.body)
		}
		var after api.Space
		s.api(t, "GET", "/v1/spaces/"+spaceID, "", nil, &after)
		if after.FitToDance <= sp.FitToDance || after.Prices[0].PencePerHour != 1400 || len(after.OpeningHours) != 1 {
			t.Errorf("after the edit: %d stars (was %d), prices %+v, hours %+v", after.FitToDance, sp.FitToDance, after.Prices, after.OpeningHours)
		}
		var rated struct {
			Stars int      `json:"stars"`
			Lost  []string `json:"lost"`
		}
		s.api(t, "GET", "/dashboard/rooms/stars?floor=sprung&floor_area_m2=80&mirrors=true", "", nil, &rated)
		if rated.Stars != after.FitToDance || len(rated.Lost) != len(after.FitToDanceBreakdown) {
			t.Errorf("the live rating says %+v, the saved room %d stars %+v", rated, after.FitToDance, after.FitToDanceBreakdown)
		}
		// Closed for a week: the room's page says so, and reopening works.
		from := time.Now().AddDate(0, 0, 14)
		p = b.post("/dashboard/rooms/spaces/"+spaceID+"/closures", url.Values{"from": {from.Format("2006-01-02")},
			"until": {from.AddDate(0, 0, 6).Format("2006-01-02")}, "reason": {"Floor repairs"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("add a closure: got %d\n%.2000s", p.status, p.body)
		}
		if page := b.get("/spaces/" + spaceID); !strings.Contains(page.body, "Closed: Floor repairs") {
			t.Errorf("the room's next weeks do not show the closure")
		}
		if p := b.post("/dashboard/rooms/spaces/"+spaceID+"/closures/0/delete", url.Values{}); p.status != http.StatusSeeOther {
			t.Errorf("reopen: got %d", p.status)
		}
		s.api(t, "GET", "/v1/spaces/"+spaceID, "", nil, &after)
		if len(after.Closures) != 0 {
			t.Errorf("closures after reopening: %+v", after.Closures)
		}
		other, _ := s.register(t, "Someone Else")
		if p := other.get("/dashboard/rooms/spaces/" + spaceID); p.status != http.StatusNotFound {
			t.Errorf("another organisation's edit page: got %d, want 404", p.status)
		}
		if p := other.post("/dashboard/rooms/spaces/"+spaceID, url.Values{"name": {"Mine now"}}); p.status != http.StatusNotFound {
			t.Errorf("another organisation's edit: got %d, want 404", p.status)
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestWhyNotThisRoom: /find offers the rooms nearby that were left out,
// and says in words why the one chosen was, as the API explains it.
func TestWhyNotThisRoom(t *testing.T) {
	s := demoSite(t, store.SQLite)
	b := s.browser(t)
	q := url.Values{"place": {"Ely"}, "activity": {"ballet"}, "group_size": {"25"}, "day": {"sat"}, "start": {"10:00"},
		"end": {"12:00"}, "from": {nextWeek()}, "count": {"1"}, "radius_km": {"5"}, "tier": {"community"}}
	p := b.get("/find?" + q.Encode())
	matched := map[string]bool{}
	for _, m := range regexpAll(`<h2><a href="/spaces/([0-9a-f-]+)\?`, p.body) {
		matched[m[1]] = true
	}
	var other string
	for _, id := range findAll(p.body, `<option value="([0-9a-f-]{36})"`) {
		if !matched[id] {
			other = id
			break
		}
	}
	if other == "" {
		t.Fatalf("no left-out room offered to explain:\n%.3000s", p.body)
	}
	q.Set("explain_space_id", other)
	why := b.get("/find?" + q.Encode())
	var res api.VenueMatchResult
	s.api(t, "POST", "/v1/match/venues", "", map[string]any{"near": map[string]any{"place": "Ely"}, "radius_km": 5,
		"group_size": 25, "activity": "ballet", "tier": "community", "explain_space_id": other,
		"weekly": map[string]any{"day": "sat", "start": "10:00", "end": "12:00", "from": nextWeek(), "count": 1}}, &res)
	if res.Explanation == nil || len(res.Explanation.Failures) == 0 {
		t.Fatalf("the API does not explain %s: %+v", other, res.Explanation)
	}
	if !strings.Contains(why.body, `id="why-title">Why not `) {
		t.Errorf("no 'Why not' section:\n%.3000s", why.body)
	}
	for _, f := range res.Explanation.Failures {
		if !strings.Contains(why.body, html.EscapeString(sentenceOf(f.Detail))) {
			t.Errorf("the page does not say %q", f.Detail)
		}
	}
}

// sentenceOf is s with a capital and a full stop, as pages write details.
func sentenceOf(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
