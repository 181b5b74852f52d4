package api_test

import (
	"net/http"
	"testing"

	"commonground/api"
)

// FuzzDecodePeopleBodies holds the people request bodies to DecodeStrict's
// rules (see checkStrictDecode).
func FuzzDecodePeopleBodies(f *testing.F) {
	for _, s := range []string{
		`{}`, `null`, ``, `[]`, `{"email": "a@b.c", "password": "0123456789"}`, `{"email": 5}`,
		`{"name": "x", "email": "a@b.c", "password": "0123456789", "extra": 1}`, `{"role": "admin"}`,
		`{"email_notifications": "yes"}`, `{"name": "\u0000"}`, "{\"password\": \"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	types := []func() any{
		func() any { return new(api.PersonIn) },
		func() any { return new(api.LoginIn) },
		func() any { return new(api.PersonPatch) },
		func() any { return new(api.MemberPatch) },
		func() any { return new(api.InvitationIn) },
		func() any { return new(api.APIKeyIn) },
		func() any { return new(api.ResetIn) },
		func() any { return new(api.NewPasswordIn) },
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkStrictDecode(t, body, types) })
}

// FuzzPeopleRequests sends arbitrary bodies to the people endpoints that
// take one: never a 5xx, a problem for every refusal, and a refused
// request writes nothing. Signing in is left to FuzzDecodePeopleBodies and
// the table tests: each attempt hashes a password, which coverage
// instrumentation makes take most of a second.
func FuzzPeopleRequests(f *testing.F) {
	s, db := fuzzServer(f)
	orgID, key, personID := s.signup(f, "Fuzz Hall", "fuzz@example.org")
	session := s.signin(f, "fuzz@example.org", goodPassword)
	addBodySeeds(f, map[string]any{"email": "fuzz@example.org", "password": "wrong password"},
		`{"name": "Key"}`, `{"role": "admin"}`, `{"role": "owner"}`, `{"email": "new@example.org", "role": "member"}`,
		`{"email": "not an email"}`, `{"password": "short"}`, `{"name": "", "email_notifications": false}`,
		`{"name": "x", "password": "0123456789"}`, `{"email": "a@b.c", "password": "\u0000123456789"}`)
	type target struct {
		method, path, token string
		ok                  []int
	}
	targets := []target{
		{"PATCH", "/v1/people/me", session, []int{http.StatusOK, http.StatusBadRequest}},
		{"POST", "/v1/organisations/" + orgID + "/invitations", session, []int{http.StatusCreated, http.StatusBadRequest}},
		{"POST", "/v1/organisations/" + orgID + "/api-keys", key, []int{http.StatusCreated, http.StatusBadRequest}},
		{"PATCH", "/v1/organisations/" + orgID + "/members/" + personID, session, []int{http.StatusOK, http.StatusBadRequest}},
		{"POST", "/v1/password-resets", "", []int{http.StatusAccepted, http.StatusBadRequest}},
		{"POST", "/v1/password-resets/cgr_unknown", "", []int{http.StatusNotFound, http.StatusBadRequest}},
		{"POST", "/v1/invitations/cgi_unknown/accept", "", []int{http.StatusNotFound, http.StatusBadRequest}},
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, tg := range targets {
			before := counts(t, db)
			rec := s.serve(tg.method, tg.path, tg.token, body)
			checkAnswer(t, tg.method+" "+tg.path, rec, tg.ok[0], tg.ok[1:]...)
			after := counts(t, db)
			if rec.Code >= 400 && after != before {
				t.Fatalf("%s %s refused (%d) but changed the store: %+v → %+v", tg.method, tg.path, rec.Code, before, after)
			}
		}
	})
}
