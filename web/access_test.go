package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"commonground/store"
)

// TestPasswordResetPages: asking for a link answers the same for any
// email; a link that is not valid says so and changes nothing.
func TestPasswordResetPages(t *testing.T) {
	s := demoSite(t, store.SQLite)
	_, email := s.register(t, "Reset Dance")
	b := s.browser(t)
	for _, e := range []string{email, "nobody@web-test.example.org"} {
		p := b.post("/password-reset", url.Values{"email": {e}})
		if p.status != http.StatusOK || !strings.Contains(p.body, "we have sent it a link") {
			t.Errorf("ask for a link for %s: got %d\n%.2000s", e, p.status, p.body)
		}
	}
	p := b.post("/password-reset/cgr_not-a-real-token", url.Values{"password": {"a brand new password"}})
	if p.status < 400 || p.status >= 500 || !strings.Contains(p.body, `class="error"`) {
		t.Errorf("a bad link: got %d\n%.2000s", p.status, p.body)
	}
	// The old password still works.
	s.signIn(t, email, "correct horse battery")
	// Sign-up errors name their fields.
	p = b.post("/signup", url.Values{"name": {"X"}, "type": {"arts"}, "place": {"Ely"}, "admin_name": {"Al"},
		"email": {"not-an-email"}, "password": {"short"}})
	if p.status != http.StatusBadRequest || strings.Count(p.body, `<p class="error">`) < 2 {
		t.Errorf("a bad sign-up: got %d, want 400 naming the email and the password\n%.3000s", p.status, p.body)
	}
	if p = b.post("/signup", url.Values{"name": {"X"}, "type": {"arts"}, "place": {"Atlantis"}}); !strings.Contains(p.body, "We do not know that place") {
		t.Errorf("an unknown place: got %d", p.status)
	}
}
