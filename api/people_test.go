package api_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"commonground/api"
	"commonground/notify"
	"commonground/store"
	"commonground/store/storetest"
)

const goodPassword = "a long enough password"

// mailbox is a Mailer that keeps what it is given.
type mailbox struct {
	mu   sync.Mutex
	sent []notify.Message
}

func (m *mailbox) Send(ctx context.Context, msg notify.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, msg)
	return nil
}

// waitFor returns the first message to addr, waiting up to 5 s.
func (m *mailbox) waitFor(t *testing.T, addr string) notify.Message {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		m.mu.Lock()
		for _, msg := range m.sent {
			if len(msg.To) == 1 && msg.To[0] == addr {
				m.mu.Unlock()
				return msg
			}
		}
		m.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("no mail to %s within 5 s", addr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (m *mailbox) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sent)
}

// linkToken is the token at the end of the first link under path in text.
func linkToken(t *testing.T, text, path string) string {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(path) + `([A-Za-z0-9_]+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no link under %s in %q", path, text)
	}
	return m[1]
}

// signup registers an organisation with its first admin and returns the
// organisation's ID, its registration key and the admin's person ID.
func (s *server) signup(t testing.TB, name, email string) (orgID, key, personID string) {
	t.Helper()
	body := with(orgBody(name, cLat, cLon), "admin", map[string]any{"name": "Admin of " + name, "email": email, "password": goodPassword})
	status, _, m := s.do(t, "POST", "/v1/organisations", "", body)
	wantStatus(t, "sign up "+name, status, http.StatusCreated, m)
	admin, _ := m["admin"].(map[string]any)
	org, _ := m["organisation"].(map[string]any)
	orgID, _ = org["id"].(string)
	key, _ = m["token"].(string)
	personID, _ = admin["id"].(string)
	if orgID == "" || key == "" || personID == "" {
		t.Fatalf("sign up: got organisation %q key %q admin %v", orgID, key, admin)
	}
	return orgID, key, personID
}

// signin signs in and returns the session token.
func (s *server) signin(t testing.TB, email, password string) string {
	t.Helper()
	status, _, m := s.do(t, "POST", "/v1/sessions", "", map[string]any{"email": email, "password": password})
	wantStatus(t, "sign in "+email, status, http.StatusCreated, m)
	token, _ := m["token"].(string)
	if !strings.HasPrefix(token, "cgs_") {
		t.Fatalf("sign in: got token %q", token)
	}
	return token
}

// invite has admin invite email with role, and returns the accept token.
func (s *server) invite(t testing.TB, orgID, admin, email, role string) string {
	t.Helper()
	status, _, m := s.do(t, "POST", "/v1/organisations/"+orgID+"/invitations", admin, map[string]any{"email": email, "role": role})
	wantStatus(t, "invite "+email, status, http.StatusCreated, m)
	u, _ := m["accept_url"].(string)
	_, token, ok := strings.Cut(u, "/invitations/")
	if !ok || token == "" {
		t.Fatalf("invite: accept_url %q", u)
	}
	return token
}

// join accepts an invitation as a new person and returns their session.
func (s *server) join(t testing.TB, invitation, name string) string {
	t.Helper()
	status, _, m := s.do(t, "POST", "/v1/invitations/"+invitation+"/accept", "", map[string]any{"name": name, "password": goodPassword})
	wantStatus(t, "accept the invitation", status, http.StatusCreated, m)
	token, _ := m["token"].(string)
	return token
}

func TestSignUpSignInAndAudit(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		orgID, key, personID := s.signup(t, "Leaps and Bounds", "Ada@Example.org")
		session := s.signin(t, "ada@example.org", goodPassword)

		m := s.get(t, "/v1/sessions/current", session)
		if m["acting_organisation_id"] != orgID {
			t.Errorf("current session: acting organisation %v, want %s", m["acting_organisation_id"], orgID)
		}
		person, _ := m["person"].(map[string]any)
		if person["email"] != "ada@example.org" || person["email_notifications"] != true {
			t.Errorf("current session: person %v, want the lowercased email and notifications on", person)
		}

		status, _, body := s.do(t, "PATCH", "/v1/organisations/"+orgID, session, map[string]any{"description": "by a person"})
		wantStatus(t, "PATCH by a person", status, http.StatusOK, body)
		status, _, body = s.do(t, "PATCH", "/v1/organisations/"+orgID, key, map[string]any{"description": "by the key"})
		wantStatus(t, "PATCH by the key", status, http.StatusOK, body)

		audit := s.get(t, "/v1/organisations/"+orgID+"/audit", session)
		items, _ := audit["items"].([]any)
		if len(items) < 3 {
			t.Fatalf("audit: got %d lines, want at least 3 (created, two updates): %v", len(items), items)
		}
		newest, _ := items[0].(map[string]any)
		second, _ := items[1].(map[string]any)
		actor := func(e map[string]any) map[string]any { a, _ := e["actor"].(map[string]any); return a }
		if newest["action"] != "organisation.updated" || actor(newest)["type"] != "key" || actor(newest)["name"] != "registration" {
			t.Errorf("newest audit line: %v, want organisation.updated by the registration key", newest)
		}
		if second["action"] != "organisation.updated" || actor(second)["type"] != "person" || actor(second)["id"] != personID ||
			actor(second)["name"] != "Admin of Leaps and Bounds" {
			t.Errorf("second audit line: %v, want organisation.updated by the admin", second)
		}

		status, _, body = s.do(t, "DELETE", "/v1/sessions/current", session, nil)
		wantStatus(t, "sign out", status, http.StatusNoContent, body)
		status, _, body = s.do(t, "GET", "/v1/sessions/current", session, nil)
		wantStatus(t, "after signing out", status, http.StatusUnauthorized, body)

		// The email is taken now.
		dup := with(orgBody("Another", cLat, cLon), "admin", map[string]any{"name": "Ada", "email": "ada@example.org", "password": goodPassword})
		status, _, body = s.do(t, "POST", "/v1/organisations", "", dup)
		wantStatus(t, "sign up with a taken email", status, http.StatusConflict, body)
		// Nothing of it was written.
		if n := len(s.get(t, "/v1/organisations?limit=100", "")["items"].([]any)); n != 1 {
			t.Errorf("organisations after a refused sign-up: got %d, want 1", n)
		}
	})
}

func TestSignInFailuresLookAlikeAndAreThrottled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clock := newManualClock()
		s := newServer(t, db, func(c *api.Config) { c.Now = clock.now })
		s.signup(t, "Fen Dance", "fen@example.org")
		try := func(email, pw string) (int, api.Problem) {
			t.Helper()
			status, h, raw := s.send(t, request{method: "POST", path: "/v1/sessions", body: map[string]any{"email": email, "password": pw}})
			if status == http.StatusCreated {
				return status, api.Problem{}
			}
			return status, checkProblem(t, "sign in", status, h, raw)
		}
		s1, wrongPassword := try("fen@example.org", "not the password")
		s2, unknownEmail := try("nobody@example.org", "not the password")
		if s1 != http.StatusUnauthorized || s2 != http.StatusUnauthorized || wrongPassword.Detail != unknownEmail.Detail {
			t.Errorf("wrong password: %d %q; unknown email: %d %q; want one 401 wording", s1, wrongPassword.Detail, s2, unknownEmail.Detail)
		}
		for range 9 {
			try("fen@example.org", "still wrong!!")
		}
		// Ten failures for the email: even the right password waits.
		if status, _ := try("fen@example.org", goodPassword); status != http.StatusTooManyRequests {
			t.Errorf("after 10 failures: got %d, want 429", status)
		}
		clock.add(16 * time.Minute)
		if status, _ := try("fen@example.org", goodPassword); status != http.StatusCreated {
			t.Errorf("15 minutes later: got %d, want 201", status)
		}
		// From one address, failures for many emails count too.
		for i := range 11 {
			try("someone"+string(rune('a'+i))+"@example.org", "not the password")
		}
		if status, _ := try("fen@example.org", goodPassword); status != http.StatusTooManyRequests {
			t.Errorf("after 11 failures from one address: got %d, want 429", status)
		}
	})
}

func TestInvitationsMembersAndRoles(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		orgID, _, adminID := s.signup(t, "Mill Road Hall", "admin@mill.example")
		admin := s.signin(t, "admin@mill.example", goodPassword)

		inv := s.invite(t, orgID, admin, "Bo@Mill.Example", "")
		member := s.join(t, inv, "Bo")
		// Single use.
		status, _, m := s.do(t, "POST", "/v1/invitations/"+inv+"/accept", "", map[string]any{"name": "Eve", "password": goodPassword})
		wantStatus(t, "accept twice", status, http.StatusConflict, m)
		status, _, m = s.do(t, "POST", "/v1/invitations/cgi_nonsense/accept", "", map[string]any{"name": "Eve", "password": goodPassword})
		wantStatus(t, "accept an unknown invitation", status, http.StatusNotFound, m)

		// A member writes for the organisation but manages nothing.
		s.venue(t, member, "Mill Road Depot", cLat, cLon)
		status, _, m = s.do(t, "POST", "/v1/organisations/"+orgID+"/invitations", member, map[string]any{"email": "x@example.org"})
		wantStatus(t, "a member invites", status, http.StatusForbidden, m)
		status, _, m = s.do(t, "GET", "/v1/organisations/"+orgID+"/api-keys", member, nil)
		wantStatus(t, "a member lists keys", status, http.StatusForbidden, m)

		members := s.get(t, "/v1/organisations/"+orgID+"/members", member)
		items, _ := members["items"].([]any)
		if len(items) != 2 {
			t.Fatalf("members: got %v, want the admin and Bo", items)
		}
		bo, _ := items[1].(map[string]any)
		boID, _ := bo["person_id"].(string)
		if bo["email"] != "bo@mill.example" || bo["role"] != "member" || bo["name"] != "Bo" {
			t.Errorf("new member: %v", bo)
		}

		// The last admin stays.
		status, _, m = s.do(t, "PATCH", "/v1/organisations/"+orgID+"/members/"+adminID, admin, map[string]any{"role": "member"})
		wantStatus(t, "demote the last admin", status, http.StatusConflict, m)
		status, _, m = s.do(t, "DELETE", "/v1/organisations/"+orgID+"/members/"+adminID, admin, nil)
		wantStatus(t, "remove the last admin", status, http.StatusConflict, m)
		status, _, m = s.do(t, "PATCH", "/v1/organisations/"+orgID+"/members/"+boID, admin, map[string]any{"role": "admin"})
		wantStatus(t, "promote Bo", status, http.StatusOK, m)
		status, _, m = s.do(t, "PATCH", "/v1/organisations/"+orgID+"/members/"+adminID, member, map[string]any{"role": "member"})
		wantStatus(t, "Bo demotes the first admin", status, http.StatusOK, m)
		status, _, m = s.do(t, "PATCH", "/v1/organisations/"+orgID+"/members/"+boID, member, map[string]any{"role": "owner"})
		wantStatus(t, "an unknown role", status, http.StatusBadRequest, m)

		// Removed, the first admin loses access at once.
		status, _, m = s.do(t, "DELETE", "/v1/organisations/"+orgID+"/members/"+adminID, member, nil)
		wantStatus(t, "Bo removes the first admin", status, http.StatusNoContent, m)
		status, _, m = s.do(t, "POST", "/v1/venues", admin, venueBody("Too late", cLat, cLon))
		wantStatus(t, "a removed member writes", status, http.StatusForbidden, m)

		// A person in two organisations names the one they act for.
		otherID, _, _ := s.signup(t, "Fen Dance", "fen@example.org")
		fen := s.signin(t, "fen@example.org", goodPassword)
		inv2 := s.invite(t, otherID, fen, "bo@mill.example", "member")
		status, _, m = s.do(t, "POST", "/v1/invitations/"+inv2+"/accept", member, nil)
		wantStatus(t, "Bo joins a second organisation", status, http.StatusCreated, m)
		status, _, m = s.do(t, "POST", "/v1/venues", member, venueBody("Which one?", cLat, cLon))
		wantStatus(t, "a write without naming the organisation", status, http.StatusBadRequest, m)
		status, _, raw := s.send(t, request{method: "POST", path: "/v1/venues", token: member, body: venueBody("For Fen", cLat, cLon),
			header: map[string]string{api.OrganisationHeader: otherID}})
		wantStatus(t, "a write naming Fen Dance", status, http.StatusCreated, string(raw))
		lone, _, _ := s.signup(t, "Lone", "lone@example.org")
		status, _, raw = s.send(t, request{method: "POST", path: "/v1/venues", token: member, body: venueBody("Not mine", cLat, cLon),
			header: map[string]string{api.OrganisationHeader: lone}})
		wantStatus(t, "a write naming an organisation Bo is not in", status, http.StatusForbidden, string(raw))
	})
}

func TestAPIKeys(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		orgID, regKey, adminID := s.signup(t, "Leaps and Bounds", "ada@example.org")
		admin := s.signin(t, "ada@example.org", goodPassword)
		status, _, m := s.do(t, "POST", "/v1/organisations/"+orgID+"/api-keys", admin, map[string]any{"name": "booking app"})
		wantStatus(t, "make a key", status, http.StatusCreated, m)
		key, _ := m["token"].(string)
		keyID, _ := m["id"].(string)
		if key == "" || m["created_by"] != adminID {
			t.Fatalf("new key: %v", m)
		}
		s.venue(t, key, "By the app", cLat, cLon)
		// Keys act as admins, except over members.
		status, _, m = s.do(t, "POST", "/v1/organisations/"+orgID+"/api-keys", key, map[string]any{"name": "made by a key"})
		wantStatus(t, "a key makes a key", status, http.StatusCreated, m)
		status, _, m = s.do(t, "POST", "/v1/organisations/"+orgID+"/invitations", key, map[string]any{"email": "x@example.org"})
		wantStatus(t, "a key invites", status, http.StatusForbidden, m)

		deadline := time.Now().Add(3 * time.Second)
		for {
			list := s.get(t, "/v1/organisations/"+orgID+"/api-keys", admin)
			items, _ := list["items"].([]any)
			if len(items) != 3 {
				t.Fatalf("keys: got %d, want 3 (registration, app, made by a key)", len(items))
			}
			var app map[string]any
			for _, it := range items {
				k := it.(map[string]any)
				if _, shown := k["token"]; shown {
					t.Fatalf("key list shows a token: %v", k)
				}
				if k["id"] == keyID {
					app = k
				}
			}
			if app["last_used_at"] != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the app key's last_used_at is still null 3 s after use: %v", app)
			}
			time.Sleep(20 * time.Millisecond)
		}

		for _, revoke := range []struct{ name, id, token string }{{"the app key", keyID, key}, {"the registration key", "", regKey}} {
			id := revoke.id
			if id == "" {
				list := s.get(t, "/v1/organisations/"+orgID+"/api-keys", admin)
				for _, it := range list["items"].([]any) {
					if k := it.(map[string]any); k["name"] == "registration" {
						id, _ = k["id"].(string)
					}
				}
			}
			status, _, m = s.do(t, "DELETE", "/v1/organisations/"+orgID+"/api-keys/"+id, admin, nil)
			wantStatus(t, "revoke "+revoke.name, status, http.StatusNoContent, m)
			status, _, m = s.do(t, "GET", "/v1/taxonomy", revoke.token, nil)
			wantStatus(t, "use "+revoke.name+" after revoking it", status, http.StatusUnauthorized, m)
		}
		status, _, m = s.do(t, "DELETE", "/v1/organisations/"+orgID+"/api-keys/"+keyID, admin, nil)
		wantStatus(t, "revoke twice", status, http.StatusNotFound, m)
	})
}

func TestPasswordReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mail := &mailbox{}
		s := newServer(t, db, func(c *api.Config) { c.Mailer = mail; c.PublicURL = "https://cg.example/" })
		s.signup(t, "Fen Dance", "fen@example.org")
		old := s.signin(t, "fen@example.org", goodPassword)

		for _, email := range []string{"nobody@example.org", "FEN@example.org"} {
			status, _, m := s.do(t, "POST", "/v1/password-resets", "", map[string]any{"email": email})
			wantStatus(t, "ask to reset for "+email, status, http.StatusAccepted, m)
		}
		msg := mail.waitFor(t, "fen@example.org")
		token := linkToken(t, msg.Text, "https://cg.example/password-reset/")
		if !strings.Contains(msg.HTML, "https://cg.example/password-reset/"+token) {
			t.Errorf("the HTML part lacks the link")
		}
		if n := mail.count(); n != 1 {
			t.Errorf("mails sent: %d, want 1 (none to an unknown email)", n)
		}

		status, _, m := s.do(t, "POST", "/v1/password-resets/"+token, "", map[string]any{"password": "short"})
		wantStatus(t, "a short new password", status, http.StatusBadRequest, m)
		status, _, m = s.do(t, "POST", "/v1/password-resets/"+token, "", map[string]any{"password": "a brand new password"})
		wantStatus(t, "reset", status, http.StatusNoContent, m)
		status, _, m = s.do(t, "POST", "/v1/password-resets/"+token, "", map[string]any{"password": "a third password!"})
		wantStatus(t, "reset twice", status, http.StatusNotFound, m)
		status, _, m = s.do(t, "GET", "/v1/sessions/current", old, nil)
		wantStatus(t, "a session from before the reset", status, http.StatusUnauthorized, m)
		status, _, m = s.do(t, "POST", "/v1/sessions", "", map[string]any{"email": "fen@example.org", "password": goodPassword})
		wantStatus(t, "sign in with the old password", status, http.StatusUnauthorized, m)
		s.signin(t, "fen@example.org", "a brand new password")
	})
}

func TestSessionCookieOnlyFromTheSameOrigin(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		s.signup(t, "Fen Dance", "fen@example.org")
		session := s.signin(t, "fen@example.org", goodPassword)
		host := strings.TrimPrefix(s.url, "http://")
		for _, tc := range []struct {
			name   string
			header map[string]string
			want   int
		}{
			{"same origin", map[string]string{"Origin": s.url}, http.StatusOK},
			{"same origin, said by the browser", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusOK},
			{"another origin", map[string]string{"Origin": "https://elsewhere.example"}, http.StatusUnauthorized},
			{"another site, said by the browser", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusUnauthorized},
			{"no origin at all", map[string]string{}, http.StatusUnauthorized},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.header["Cookie"] = api.SessionCookie + "=" + session
				status, _, raw := s.send(t, request{method: "GET", path: "/v1/sessions/current", header: tc.header})
				if status != tc.want {
					t.Errorf("GET with the cookie from %s (host %s): got %d, want %d; %s", tc.name, host, status, tc.want, raw)
				}
			})
		}
	})
}

// TestAccessEndsOnEveryReplica checks that a revoked key, an ended session
// and a removed member lose access at once on the replica that made the
// change and within 2 s on another replica over the same database.
func TestAccessEndsOnEveryReplica(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.SharedURL(t, d)
			a := newReplica(t, openStore(t, url), api.Config{Now: time.Now}, 200*time.Millisecond)
			b := newReplica(t, openStore(t, url), api.Config{Now: time.Now}, 200*time.Millisecond)
			orgID, _, _ := a.signup(t, "Leaps and Bounds", "ada@example.org")
			admin := a.signin(t, "ada@example.org", goodPassword)
			member := a.join(t, a.invite(t, orgID, admin, "bo@example.org", "member"), "Bo")
			_, _, m := a.do(t, "POST", "/v1/organisations/"+orgID+"/api-keys", admin, map[string]any{"name": "app"})
			key, _ := m["token"].(string)
			keyID, _ := m["id"].(string)
			spare := a.signin(t, "ada@example.org", goodPassword)
			var boID string
			for _, it := range a.get(t, "/v1/organisations/"+orgID+"/members", admin)["items"].([]any) {
				if mm := it.(map[string]any); mm["name"] == "Bo" {
					boID, _ = mm["person_id"].(string)
				}
			}
			deadline := time.Now().Add(3 * time.Second)
			for !engineOf(t, b).HasOrganisation(orgID) {
				if time.Now().After(deadline) {
					t.Fatal("replica B did not learn of the organisation")
				}
				time.Sleep(20 * time.Millisecond)
			}
			// B has verified and remembers every token.
			for _, tok := range []string{key, member, spare} {
				b.get(t, "/v1/organisations/"+orgID+"/members", tok)
			}

			changes := []struct {
				name, token, method, path string
				want                      int
			}{
				{"revoked key", key, "DELETE", "/v1/organisations/" + orgID + "/api-keys/" + keyID, http.StatusUnauthorized},
				{"ended session", spare, "DELETE", "/v1/sessions/current", http.StatusUnauthorized},
				{"removed member", member, "DELETE", "/v1/organisations/" + orgID + "/members/" + boID, http.StatusForbidden},
			}
			for _, ch := range changes {
				actor := admin
				if ch.name == "ended session" {
					actor = spare
				}
				status, _, m := a.do(t, ch.method, ch.path, actor, nil)
				wantStatus(t, ch.name, status, http.StatusNoContent, m)
				changed := time.Now()
				status, _, m = a.do(t, "GET", "/v1/organisations/"+orgID+"/members", ch.token, nil)
				wantStatus(t, ch.name+" on replica A at once", status, ch.want, m)
				for {
					status, _, m := b.do(t, "GET", "/v1/organisations/"+orgID+"/members", ch.token, nil)
					if status == ch.want {
						t.Logf("%s: refused by replica B %v after the change", ch.name, time.Since(changed).Round(time.Millisecond))
						break
					}
					wantStatus(t, ch.name+" on replica B before it learns", status, http.StatusOK, m)
					if time.Since(changed) > 2*time.Second {
						t.Fatalf("%s: replica B still let it in 2 s after the change", ch.name)
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
		})
	}
}

func TestDeleteMyAccount(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		orgID, _, _ := s.signup(t, "Mill Road Hall", "admin@mill.example")
		admin := s.signin(t, "admin@mill.example", goodPassword)
		bo := s.join(t, s.invite(t, orgID, admin, "bo@mill.example", "member"), "Bo")
		status, _, m := s.do(t, "DELETE", "/v1/people/me", admin, nil)
		wantStatus(t, "the last admin deletes their account", status, http.StatusConflict, m)
		status, _, m = s.do(t, "DELETE", "/v1/people/me", bo, nil)
		wantStatus(t, "a member deletes their account", status, http.StatusNoContent, m)
		status, _, m = s.do(t, "GET", "/v1/sessions/current", bo, nil)
		wantStatus(t, "their session afterwards", status, http.StatusUnauthorized, m)
		status, _, m = s.do(t, "POST", "/v1/sessions", "", map[string]any{"email": "bo@mill.example", "password": goodPassword})
		wantStatus(t, "signing in afterwards", status, http.StatusUnauthorized, m)
		if items := s.get(t, "/v1/organisations/"+orgID+"/members", admin)["items"].([]any); len(items) != 1 {
			t.Errorf("members after Bo left: %v", items)
		}
	})
}
