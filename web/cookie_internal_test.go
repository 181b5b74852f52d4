package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"commonground/seed"
)

// TestCookiesSecureOverHTTPS: the cookies are Secure when the service is
// reached over https, HttpOnly and SameSite=Lax always.
func TestCookiesSecureOverHTTPS(t *testing.T) {
	for _, c := range []struct {
		public string
		secure bool
	}{{"https://commonground.example.org", true}, {"http://localhost:8080", false}} {
		h := NewHandler(Config{API: http.NotFoundHandler(), Taxonomy: seed.Taxonomy(), PublicURL: c.public})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		cookies := rec.Result().Cookies()
		if len(cookies) == 0 {
			t.Fatalf("%s: the home page sets no CSRF cookie", c.public)
		}
		for _, ck := range cookies {
			if ck.Secure != c.secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("%s: cookie %s: Secure %v HttpOnly %v SameSite %v; want Secure %v, HttpOnly, Lax",
					c.public, ck.Name, ck.Secure, ck.HttpOnly, ck.SameSite, c.secure)
			}
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: https://tile.openstreetmap.org") {
			t.Errorf("CSP %q does not allow the default tiles", csp)
		}
	}
}
