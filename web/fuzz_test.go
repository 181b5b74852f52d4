package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"commonground/store"
)

// FuzzFindQuery: whatever the query of /find or /nearby, the answer is a
// page (200 or 400 with the form), never a server error.
func FuzzFindQuery(f *testing.F) {
	f.Add("place=Ely&group_size=12&day=tue&start=18:00&end=20:00&from=2027-01-05&count=4")
	f.Add("place=CB7%204DL&group_size=-1&count=999999999999&radius_km=NaN&max_pence_per_hour=1e99")
	f.Add("place=Nowhere&day=funday&start=25:61&end=&from=yesterday&tier=gold&step_free=maybe")
	f.Add("place=Ely&explain_space_id=%00&activity=%3Cscript%3E")
	f.Add("place=%FF%FE&radius_km=1e308&when=at&free_from=2027-13-45T99:99&hours=-3")
	f.Add("lat=91&lon=181&radius_km=0")
	s := demoSite(f, store.SQLite)
	f.Fuzz(func(t *testing.T, query string) {
		for _, path := range []string{"/find", "/nearby"} {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.URL.Path, req.URL.RawQuery = path, query
			s.app.Handler.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("GET %s?%s: %d\n%s", path, query, rec.Code, rec.Body.String())
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Fatalf("GET %s?%s: Content-Type %q, want a page", path, query, ct)
			}
		}
	})
}

// FuzzRoomForm: whatever a signed-in person posts as a new room, the
// answer is the room (303) or the form with what is wrong (4xx), never a
// server error.
func FuzzRoomForm(f *testing.F) {
	f.Add("Main hall", "hall", "40", "60", "wood", "12.50", "mon", "09:00", "21:00")
	f.Add("", "castle", "-4", "NaN", "lava", "£-1", "someday", "25:00", "00:00")
	f.Add("x", "studio", "1e9", "1e308", "sprung", "99999999", "sun", "21:00", "09:00")
	f.Add("\x00", "studio", "3.5", "Inf", "sprung", "0.001", "tue", "09:00", "24:00")
	s := demoSite(f, store.SQLite)
	b, _ := s.register(f, "Fuzzy Felt Hall")
	if p := b.post("/dashboard/rooms/venues", url.Values{"name": {"Fuzz Centre"}, "place": {"Ely"}}); p.status != http.StatusSeeOther {
		f.Fatalf("add a building: %d", p.status)
	}
	venueID := find(f, b.get("/dashboard/rooms").body, `action="/dashboard/rooms/venues/([0-9a-f-]+)/spaces"`, "room form")
	f.Fuzz(func(t *testing.T, name, kind, capacity, area, floor, price, day, opens, closes string) {
		b := &browser{t: t, base: b.base, c: b.c}
		p := b.post("/dashboard/rooms/venues/"+venueID+"/spaces", url.Values{"name": {name}, "kind": {kind},
			"capacity": {capacity}, "floor_area_m2": {area}, "floor": {floor}, "price_community": {price},
			"day": {day}, "opens": {opens}, "closes": {closes}})
		if p.status >= 500 || (p.status != http.StatusSeeOther && p.status < 400) {
			t.Fatalf("POST a room %q: got %d, want 303 or 4xx\n%.2000s", name, p.status, p.body)
		}
	})
}
