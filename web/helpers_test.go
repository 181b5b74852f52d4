package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"commonground/app"
	"commonground/store"
	"commonground/store/storetest"
)

// site is the whole service on the demo county, served on 127.0.0.1 as
// `go run .` serves it (tiles off, as the tests want).
type site struct {
	app *app.App
	srv *httptest.Server
}

var (
	sitesMu  sync.Mutex
	sites    = map[store.Dialect]*site{}
	teardown []func()
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range teardown {
		f()
	}
	os.Exit(code)
}

// demoSite returns the service on the demo county on dialect d, built once
// per test process (loading the county takes seconds); tests make their
// own organisations, so they do not see each other's writes. PostgreSQL is
// skipped without TEST_DATABASE_URL.
func demoSite(t testing.TB, d store.Dialect) *site {
	t.Helper()
	sitesMu.Lock()
	defer sitesMu.Unlock()
	if s, ok := sites[d]; ok {
		return s
	}
	var dbURL string
	switch d {
	case store.SQLite:
		dir, err := os.MkdirTemp("", "cgweb")
		if err != nil {
			t.Fatal(err)
		}
		teardown = append(teardown, func() { os.RemoveAll(dir) })
		dbURL = "sqlite:" + filepath.Join(dir, "commonground.db")
	default:
		base := os.Getenv(storetest.EnvURL)
		if base == "" {
			t.Skipf("PostgreSQL tests skipped: set %s", storetest.EnvURL)
		}
		schema, err := storetest.NewSchema(base, "cgweb_")
		if err != nil {
			t.Fatal(err)
		}
		teardown = append(teardown, func() { schema.Drop() })
		dbURL = schema.URL
	}
	a, err := app.New(context.Background(), app.Config{DatabaseURL: dbURL, Demo: true, DemoSeed: 1, TileURL: "none"},
		slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	teardown = append([]func(){func() { srv.Close(); a.Close() }}, teardown...)
	s := &site{app: a, srv: srv}
	sites[d] = s
	return s
}

// eachSite runs fn on the demo site of every database.
func eachSite(t *testing.T, fn func(t *testing.T, s *site)) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) { fn(t, demoSite(t, d)) })
	}
}

// browser is a person's browser without JavaScript: it keeps cookies and
// does not follow redirects, so tests see each answer.
type browser struct {
	t    testing.TB
	base string
	c    *http.Client
}

func (s *site) browser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: s.srv.URL, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is one answer.
type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{resp.StatusCode, resp.Header, string(body)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	return b.do(req)
}

// post sends a form, with the browser's CSRF token unless the form
// carries its own csrf_token (or an empty one, to leave it out).
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	if _, ok := form["csrf_token"]; !ok {
		form.Set("csrf_token", b.csrf())
	} else if form.Get("csrf_token") == "" {
		form.Del("csrf_token")
	}
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// csrf is the token the browser's forms carry, reading a page first if
// it holds none yet.
func (b *browser) csrf() string {
	b.t.Helper()
	if v := b.cookie("cg_csrf"); v != "" {
		return v
	}
	p := b.get("/signin")
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("no CSRF token on /signin:\n%s", p.body)
	}
	return m[1]
}

func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// setCookie plants a cookie, as another site or a shared computer might.
func (b *browser) setCookie(name, value string) {
	u, _ := url.Parse(b.base)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// api calls the JSON API with a bearer token ("" for none).
func (s *site) api(t testing.TB, method, path, token string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, s.srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

var uniq struct {
	sync.Mutex
	n int
}

// register signs up a new organisation by the sign-up form, as its first
// person, and returns the browser signed in as them and their email.
func (s *site) register(t testing.TB, name string) (*browser, string) {
	t.Helper()
	uniq.Lock()
	uniq.n++
	email := fmt.Sprintf("admin%d-%d@web-test.example.org", uniq.n, time.Now().UnixNano())
	uniq.Unlock()
	b := s.browser(t)
	p := b.post("/signup", url.Values{"name": {name}, "type": {"arts"}, "place": {"Ely"},
		"admin_name": {"Sam Admin"}, "email": {email}, "password": {"correct horse battery"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/dashboard/rooms" {
		t.Fatalf("sign-up: got %d to %q, want 303 to /dashboard/rooms\n%s", p.status, p.header.Get("Location"), p.body)
	}
	return b, email
}

// signIn signs a new browser in by the sign-in form.
func (s *site) signIn(t testing.TB, email, password string) *browser {
	t.Helper()
	b := s.browser(t)
	p := b.post("/signin", url.Values{"email": {email}, "password": {password}, "next": {"/dashboard"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("sign-in as %s: got %d, want 303\n%s", email, p.status, p.body)
	}
	return b
}

// demoOwnerEmail is the email of an admin of the organisation orgID (a
// demo organisation's admin, whose password is seed.DemoPassword).
func (s *site) demoOwnerEmail(t testing.TB, orgID string) string {
	t.Helper()
	ms, err := s.app.DB.ListMembers(context.Background(), orgID)
	if err != nil || len(ms) == 0 {
		t.Fatalf("members of %s: %v %v", orgID, ms, err)
	}
	return ms[0].Person.Email
}

// find returns the first submatch of re in s, failing t if there is none.
func find(t testing.TB, s, re, what string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in:\n%.3000s", what, s)
	}
	return m[1]
}

// nextWeek is the date a week from now, as forms take it.
func nextWeek() string { return time.Now().AddDate(0, 0, 7).Format("2006-01-02") }

func regexpAll(re, s string) [][]string { return regexp.MustCompile(re).FindAllStringSubmatch(s, -1) }
