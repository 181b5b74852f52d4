package api_test

import (
	"encoding/json"
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
		func() any { return new(api.WebhookIn) },
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

// FuzzWebhookRequest posts arbitrary webhook bodies: never a 5xx, a
// problem for every refusal, and a refused body makes no webhook.
func FuzzWebhookRequest(f *testing.F) {
	s, _ := fuzzServer(f)
	orgID, key, _ := s.signup(f, "Fuzz Hall", "fuzz@example.org")
	addBodySeeds(f, map[string]any{"url": "https://hooks.example.org/cg", "events": []string{"booking.requested"}},
		`{"url": "http://127.0.0.1:9/x"}`, `{"url": "https://hooks.example.org", "events": ["booking.exploded"]}`,
		`{"url": "ftp://hooks.example.org"}`, `{"url": "https://user:pw@hooks.example.org"}`,
		`{"url": "https://[::1]/"}`, `{"url": "https://hooks.example.org", "events": "all"}`,
		`{"url": "https://93.184.216.34/hook", "events": []}`)
	path := "/v1/organisations/" + orgID + "/webhooks"
	count := func(t *testing.T) int {
		rec := s.serve("GET", path, key, nil)
		var body struct{ Items []any }
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("list webhooks: %v", err)
		}
		return len(body.Items)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		before := count(t)
		rec := s.serve("POST", path, key, body)
		checkAnswer(t, "POST "+path, rec, http.StatusCreated, http.StatusBadRequest, http.StatusConflict)
		after := count(t)
		switch {
		case rec.Code == http.StatusCreated && after != before+1:
			t.Fatalf("a webhook made: %d → %d", before, after)
		case rec.Code != http.StatusCreated && after != before:
			t.Fatalf("a refused webhook changed the list: %d → %d", before, after)
		}
		if rec.Code == http.StatusCreated {
			var made struct{ ID string }
			json.Unmarshal(rec.Body.Bytes(), &made)
			s.serve("DELETE", path+"/"+made.ID, key, nil)
		}
	})
}
