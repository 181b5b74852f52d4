package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"commonground/api"
	"commonground/matching"
)

// csrfCookie holds the token every form sends back as csrfField (a
// double-submit token): another site can make a browser post a form here,
// but cannot read or set this cookie to fill in the field.
const (
	csrfCookie = "cg_csrf"
	csrfField  = "csrf_token"
	// orgCookie names the organisation a person with several memberships
	// acts for.
	orgCookie = "cg_org"
)

// session is the person signed in on a request.
type session struct {
	token       string
	Person      api.Person
	Memberships []api.Membership
	// OrgID is the organisation they act for (their first, when they
	// belong to several); "" for none.
	OrgID string
}

// Admin reports whether they administer the organisation they act for.
func (s *session) Admin() bool {
	for _, m := range s.Memberships {
		if m.OrganisationID == s.OrgID {
			return m.Role == string(matching.RoleAdmin)
		}
	}
	return false
}

type ctxKey int

const (
	ctxSession ctxKey = iota
	ctxCSRF
)

// sessionOf is the person signed in on r, or nil.
func sessionOf(r *http.Request) *session {
	s, _ := r.Context().Value(ctxSession).(*session)
	return s
}

// csrfOf is the CSRF token the page's forms carry.
func csrfOf(r *http.Request) string {
	s, _ := r.Context().Value(ctxCSRF).(string)
	return s
}

// currentSession is the API's answer to GET /v1/sessions/current.
type currentSession struct {
	Person      api.Person       `json:"person"`
	Memberships []api.Membership `json:"memberships"`
}

// withSession looks up the session cookie's person through the API; a
// cookie the API does not know (expired, signed out) is removed. It also
// makes sure the browser holds a CSRF token.
func (h *Handler) withSession(w http.ResponseWriter, r *http.Request) *http.Request {
	token := ""
	if ck, err := r.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 && len(ck.Value) <= 64 {
		token = ck.Value
	} else {
		token = randomToken()
		http.SetCookie(w, h.cookie(csrfCookie, token, 0))
	}
	ctx := context.WithValue(r.Context(), ctxCSRF, token)
	ck, err := r.Cookie(api.SessionCookie)
	if err != nil || ck.Value == "" {
		return r.WithContext(ctx)
	}
	if len(ck.Value) > 200 {
		http.SetCookie(w, h.cookie(api.SessionCookie, "", -1))
		return r.WithContext(ctx)
	}
	s := &session{token: ck.Value}
	probe := r.WithContext(context.WithValue(ctx, ctxSession, s))
	var cur currentSession
	if err := h.get(probe, "/v1/sessions/current", nil, &cur); err != nil {
		if st := statusOf(err); st == http.StatusUnauthorized || st == http.StatusForbidden {
			http.SetCookie(w, h.cookie(api.SessionCookie, "", -1))
		} else {
			h.log.Warn("looking up a session failed", "error", err.Error())
		}
		return r.WithContext(ctx)
	}
	s.Person, s.Memberships = cur.Person, cur.Memberships
	if len(s.Memberships) > 0 {
		s.OrgID = s.Memberships[0].OrganisationID
	}
	if ck, err := r.Cookie(orgCookie); err == nil {
		for _, m := range s.Memberships {
			if m.OrganisationID == ck.Value {
				s.OrgID = m.OrganisationID
			}
		}
	}
	return probe
}

// checkCSRF reports whether a POST carries the browser's CSRF token and,
// when it says where it comes from, comes from this site.
func (h *Handler) checkCSRF(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || !strings.EqualFold(u.Host, r.Host) {
			return false
		}
	}
	ck, err := r.Cookie(csrfCookie)
	if err != nil || len(ck.Value) < 32 {
		return false
	}
	sent := r.PostFormValue(csrfField)
	return subtle.ConstantTimeCompare([]byte(sent), []byte(ck.Value)) == 1
}

// cookie is one of the pages' cookies: HttpOnly, SameSite=Lax, for the
// whole site, Secure when the service is served over https. maxAge < 0
// deletes it; 0 keeps it for the browser's session.
func (h *Handler) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: h.secure, SameSite: http.SameSiteLaxMode}
}

// startSession keeps the API's new session token in the session cookie,
// replacing (and ending) any session the browser held before: a session
// id planted before sign-in is never kept.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	if old := sessionOf(r); old != nil && old.token != token {
		_ = h.call(r, http.MethodDelete, "/v1/sessions/current", nil, nil, nil)
	}
	ck := h.cookie(api.SessionCookie, token, 0)
	if !expires.IsZero() {
		ck.Expires = expires
		ck.MaxAge = int(time.Until(expires).Seconds())
	}
	http.SetCookie(w, ck)
	// A new CSRF token with the new session.
	http.SetCookie(w, h.cookie(csrfCookie, randomToken(), 0))
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
