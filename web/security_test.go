package web_test

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"commonground/api"
	"commonground/store"
)

// TestPostWithoutCSRFIsForbidden: every form post needs the browser's
// token; one without it, with another, or from another site is a 403 and
// changes nothing.
func TestPostWithoutCSRFIsForbidden(t *testing.T) {
	s := demoSite(t, store.SQLite)
	b, email := s.register(t, "Careful Dance Co")
	good := b.csrf()
	forms := []string{"/signout", "/dashboard/rooms/venues", "/signin", "/signup", "/password-reset",
		"/spaces/x/book", "/dashboard/bookings/x/approve", "/dashboard/notifications/x/read",
		"/dashboard/partnerships/x/evaluation", "/dashboard/consortia", "/dashboard/consortia/x/accept",
		"/dashboard/consortia/x/decline", "/dashboard/consortia/x/activate", "/dashboard/consortia/x/complete",
		"/dashboard/consortia/x/end", "/dashboard/consortia/x/health"}
	// And every POST route the pages register, as web.go lists them.
	src, err := os.ReadFile("web.go")
	if err != nil {
		t.Fatal(err)
	}
	routes := regexp.MustCompile(`page\("POST ([^"]+)"`).FindAllStringSubmatch(string(src), -1)
	if len(routes) < 30 {
		t.Fatalf("found %d POST routes in web.go; the pattern no longer reads it", len(routes))
	}
	for _, m := range routes {
		forms = append(forms, regexp.MustCompile(`\{[a-z]+\}`).ReplaceAllString(m[1], "x"))
	}
	for _, path := range forms {
		for name, token := range map[string]string{"none": "", "another": good[:len(good)-2] + "xx"} {
			form := url.Values{"csrf_token": {token}, "name": {"Sneaky hall"}, "place": {"Ely"}, "email": {email}}
			if p := b.post(path, form); p.status != http.StatusForbidden {
				t.Errorf("POST %s with %s token: got %d, want 403", path, name, p.status)
			}
		}
	}
	// The right token from another site's page.
	req, _ := http.NewRequest(http.MethodPost, b.base+"/dashboard/rooms/venues",
		strings.NewReader(url.Values{"csrf_token": {good}, "name": {"Sneaky hall"}, "place": {"Ely"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if p := b.do(req); p.status != http.StatusForbidden {
		t.Errorf("POST from another origin: got %d, want 403", p.status)
	}
	// Still signed in, and no venue was added.
	if p := b.get("/dashboard/rooms"); p.status != http.StatusOK || strings.Contains(p.body, "Sneaky hall") {
		t.Errorf("after the refused posts: got %d, sneaky venue present: %v", p.status, strings.Contains(p.body, "Sneaky hall"))
	}
	// The same post with the token works.
	if p := b.post("/dashboard/rooms/venues", url.Values{"name": {"Honest hall"}, "place": {"Ely"}}); p.status != http.StatusSeeOther {
		t.Errorf("POST with the token: got %d, want 303\n%.2000s", p.status, p.body)
	}
}

// TestOtherOrganisationsBookingIsNotFound: a booking's page, and its
// actions, are for its two parties; to anyone else it does not exist.
func TestOtherOrganisationsBookingIsNotFound(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		var res api.VenueMatchResult
		s.api(t, "POST", "/v1/match/venues", "", map[string]any{"near": map[string]any{"place": "Huntingdon"},
			"radius_km": 15, "group_size": 8, "activity": "ballet",
			"weekly": map[string]any{"day": "thu", "start": "14:00", "end": "15:00", "from": nextWeek(), "count": 1}}, &res)
		if len(res.Matches) == 0 {
			t.Fatal("no room to book near Huntingdon")
		}
		booker, _ := s.register(t, "Booker Ltd")
		p := booker.post("/spaces/"+res.Matches[0].SpaceID+"/book", url.Values{"day": {"thu"}, "start": {"14:00"},
			"end": {"15:00"}, "from": {nextWeek()}, "count": {"1"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("book: got %d\n%.2000s", p.status, p.body)
		}
		path := p.header.Get("Location")
		outsider, _ := s.register(t, "Nosy Neighbours")
		if got := outsider.get(path); got.status != http.StatusNotFound || strings.Contains(got.body, "Booker Ltd") {
			t.Errorf("another organisation's GET %s: got %d, want 404 without the booker's name", path, got.status)
		}
		for _, action := range []string{"cancel", "approve", "decline"} {
			if got := outsider.post(path+"/"+action, url.Values{}); got.status != http.StatusNotFound {
				t.Errorf("another organisation's %s: got %d, want 404", action, got.status)
			}
		}
		if got := outsider.post(path+"/messages", url.Values{"body": {"hello"}}); got.status != http.StatusNotFound {
			t.Errorf("another organisation's message: got %d, want 404", got.status)
		}
		if got := booker.get(path); got.status != http.StatusOK {
			t.Errorf("the booker's own booking: got %d, want 200", got.status)
		}
	})
}

// TestSessionFixation: a session cookie planted before sign-in (valid or
// not) is replaced by a new one, and a valid planted one is ended.
func TestSessionFixation(t *testing.T) {
	s := demoSite(t, store.SQLite)
	_, email := s.register(t, "Fixation Fighters")
	attacker := s.signIn(t, email, "correct horse battery")
	planted := attacker.cookie(api.SessionCookie)
	if planted == "" {
		t.Fatal("sign-in set no session cookie")
	}
	for name, value := range map[string]string{"valid": planted, "made up": "cgs_0123456789abcdef0123456789abcdef"} {
		victim := s.browser(t)
		victim.setCookie(api.SessionCookie, value)
		p := victim.post("/signin", url.Values{"email": {email}, "password": {"correct horse battery"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("%s: sign-in got %d", name, p.status)
		}
		got := victim.cookie(api.SessionCookie)
		if got == "" || got == value {
			t.Errorf("%s planted session: after sign-in the cookie is %q, want a new one", name, got)
		}
		var set *http.Cookie
		for _, c := range (&http.Response{Header: p.header}).Cookies() {
			if c.Name == api.SessionCookie {
				set = c
			}
		}
		if set == nil || !set.HttpOnly || set.SameSite != http.SameSiteLaxMode || set.Path != "/" {
			t.Errorf("%s: session cookie %+v, want HttpOnly, SameSite=Lax, Path=/", name, set)
		}
	}
	if st := s.api(t, "GET", "/v1/sessions/current", planted, nil, nil); st != http.StatusUnauthorized {
		t.Errorf("the planted session after the victim signed in: got %d, want 401 (ended)", st)
	}
}

// TestNamesAreText: a room named like a script shows as text, and pages
// forbid inline script.
func TestNamesAreText(t *testing.T) {
	s := demoSite(t, store.SQLite)
	b, _ := s.register(t, `<b>Bold</b> "Quotes" & Co`)
	b.post("/dashboard/rooms/venues", url.Values{"name": {"<img src=x onerror=alert(1)>"}, "place": {"Ely"}})
	rooms := b.get("/dashboard/rooms")
	venueID := find(t, rooms.body, `action="/dashboard/rooms/venues/([0-9a-f-]+)/spaces"`, "form to add a room")
	p := b.post("/dashboard/rooms/venues/"+venueID+"/spaces", url.Values{"name": {"<script>alert('x')</script>"},
		"kind": {"studio"}, "capacity": {"10"}, "floor_area_m2": {"80"}, "floor": {"sprung"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("add the room: got %d\n%.2000s", p.status, p.body)
	}
	for _, path := range []string{p.header.Get("Location"), "/dashboard/rooms", "/venues/" + venueID} {
		page := b.get(strings.TrimSuffix(path, "#stars"))
		if strings.Contains(page.body, "<script>alert") || strings.Contains(page.body, "<img src=x") || strings.Contains(page.body, "<b>Bold") {
			t.Errorf("%s renders a name as markup:\n%.3000s", path, page.body)
		}
		if !strings.Contains(page.body, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") && !strings.Contains(page.body, "&lt;img src=x") {
			t.Errorf("%s does not show the name as text", path)
		}
		csp := page.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy %q, want scripts from the site only and no framing", path, csp)
		}
		if strings.Contains(page.body, "<script>") || strings.Contains(page.body, " onclick=") {
			t.Errorf("%s has inline script", path)
		}
	}
}

// TestAPIStaysTheAPI: the pages take "/" and their paths; every other
// path answers as the API always did.
func TestAPIStaysTheAPI(t *testing.T) {
	s := demoSite(t, store.SQLite)
	b := s.browser(t)
	cases := []struct {
		path, wantType string
		wantStatus     int
	}{
		{"/", "text/html", 200},
		{"/healthz", "application/json", 200},
		{"/v1/nope", "application/problem+json", 404},
		{"/nope", "application/problem+json", 404},
		{"/openapi.json", "application/json", 200},
		{"/static/site.css", "text/css", 200},
		{"/static/leaflet/leaflet.js", "text/javascript", 200},
		{"/spaces/no-such-room", "text/html", 404},
	}
	for _, c := range cases {
		p := b.get(c.path)
		if p.status != c.wantStatus || !strings.HasPrefix(p.header.Get("Content-Type"), c.wantType) {
			t.Errorf("GET %s: got %d %s, want %d %s", c.path, p.status, p.header.Get("Content-Type"), c.wantStatus, c.wantType)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, b.base+"/no-such-page", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	if p := b.do(req); p.status != http.StatusNotFound || !strings.Contains(p.body, "<h1>Page not found</h1>") {
		t.Errorf("a browser's GET /no-such-page: got %d, want the 404 page", p.status)
	}
	req, _ = http.NewRequest(http.MethodGet, b.base+"/v1/no-such-thing", nil)
	req.Header.Set("Accept", "text/html")
	if p := b.do(req); p.status != http.StatusNotFound || !strings.HasPrefix(p.header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("a browser's GET /v1/no-such-thing: got %d %s, want the API's problem", p.status, p.header.Get("Content-Type"))
	}
	for _, path := range []string{"/", "/static/leaflet/leaflet.js"} {
		req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		if p := b.do(req); p.header.Get("Content-Encoding") != "gzip" {
			t.Errorf("GET %s with Accept-Encoding: gzip: Content-Encoding %q, want gzip", path, p.header.Get("Content-Encoding"))
		}
	}
	if p := b.get("/static/site.css"); !strings.Contains(p.header.Get("Cache-Control"), "max-age") {
		t.Errorf("static files: Cache-Control %q, want a max-age", p.header.Get("Cache-Control"))
	}
	if p := b.get("/static/"); p.status == http.StatusOK && strings.Contains(p.body, "site.css") {
		t.Error("/static/ lists its files")
	}
}

// TestSignInErrorsAndSignOut: a wrong password is said plainly; signing
// out ends the session at the API.
func TestSignInErrorsAndSignOut(t *testing.T) {
	s := demoSite(t, store.SQLite)
	_, email := s.register(t, "Forgetful Ensemble")
	b := s.browser(t)
	p := b.post("/signin", url.Values{"email": {email}, "password": {"not the password"}})
	if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "The email or password is not right") {
		t.Errorf("wrong password: got %d\n%.2000s", p.status, p.body)
	}
	b = s.signIn(t, email, "correct horse battery")
	token := b.cookie(api.SessionCookie)
	if p := b.get("/dashboard"); p.status != http.StatusOK {
		t.Fatalf("dashboard signed in: %d", p.status)
	}
	if p := b.post("/signout", url.Values{}); p.status != http.StatusSeeOther {
		t.Errorf("sign out: got %d", p.status)
	}
	if st := s.api(t, "GET", "/v1/sessions/current", token, nil, nil); st != http.StatusUnauthorized {
		t.Errorf("the session after signing out: got %d, want 401", st)
	}
	if p := b.get("/dashboard"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/signin") {
		t.Errorf("dashboard after signing out: got %d to %q, want the sign-in page", p.status, p.header.Get("Location"))
	}
}
