package api_test

import (
	"net/http"
	"testing"
	"time"

	"commonground/api"
	"commonground/store"
	"commonground/store/storetest"
)

// TestPeopleEndpointsRefuseOutsiders runs every people and webhook
// endpoint that acts on an organisation against callers who must not: no
// token, an expired session, a revoked key (401), and another
// organisation's admin, member and key, and a removed member (403); and
// the admin-only ones against the organisation's own member (403). None of
// them changes anything.
func TestPeopleEndpointsRefuseOutsiders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clock := newManualClock()
		s := newServer(t, db, func(c *api.Config) { c.Now = clock.now })
		orgID, _, adminID := s.signup(t, "Victim Hall", "admin@victim.example")
		expired := s.signin(t, "admin@victim.example", goodPassword)
		clock.add(31 * 24 * time.Hour)
		admin := s.signin(t, "admin@victim.example", goodPassword)
		_, _, m := s.do(t, "POST", "/v1/organisations/"+orgID+"/api-keys", admin, map[string]any{"name": "to revoke"})
		revoked, _ := m["token"].(string)
		revokedID, _ := m["id"].(string)
		status, _, m := s.do(t, "DELETE", "/v1/organisations/"+orgID+"/api-keys/"+revokedID, admin, nil)
		wantStatus(t, "revoke", status, http.StatusNoContent, m)
		removed := s.join(t, s.invite(t, orgID, admin, "gone@victim.example", "admin"), "Gone")
		var goneID string
		for _, it := range s.get(t, "/v1/organisations/"+orgID+"/members", admin)["items"].([]any) {
			if mm := it.(map[string]any); mm["name"] == "Gone" {
				goneID, _ = mm["person_id"].(string)
			}
		}
		status, _, m = s.do(t, "DELETE", "/v1/organisations/"+orgID+"/members/"+goneID, admin, nil)
		wantStatus(t, "remove", status, http.StatusNoContent, m)
		_, _, m = s.do(t, "POST", "/v1/organisations/"+orgID+"/api-keys", admin, map[string]any{"name": "victim's"})
		victimKeyID, _ := m["id"].(string)
		status, _, m = s.do(t, "POST", "/v1/organisations/"+orgID+"/webhooks", admin, map[string]any{"url": "https://93.184.216.34/hook"})
		wantStatus(t, "make a webhook", status, http.StatusCreated, m)
		hookID, _ := m["id"].(string)
		// A member of the organisation itself is not an admin either.
		ownMember := s.join(t, s.invite(t, orgID, admin, "member@victim.example", "member"), "Own member")

		otherID, otherKey, _ := s.signup(t, "Other Org", "admin@other.example")
		otherAdmin := s.signin(t, "admin@other.example", goodPassword)
		otherMember := s.join(t, s.invite(t, otherID, otherAdmin, "member@other.example", "member"), "Other member")

		callers := []struct {
			name, token string
			want        int
		}{
			{"no token", "", http.StatusUnauthorized},
			{"an expired session", expired, http.StatusUnauthorized},
			{"a revoked key", revoked, http.StatusUnauthorized},
			{"another organisation's admin", otherAdmin, http.StatusForbidden},
			{"another organisation's member", otherMember, http.StatusForbidden},
			{"another organisation's key", otherKey, http.StatusForbidden},
			{"a removed member", removed, http.StatusForbidden},
		}
		// Reading the member list is for any member; managing is for admins.
		adminOnly := func(method, path string) bool {
			return !(method == "GET" && path == "/v1/organisations/"+orgID+"/members")
		}
		base := "/v1/organisations/" + orgID
		endpoints := []struct {
			method, path string
			body         any
		}{
			{"GET", base + "/members", nil},
			{"PATCH", base + "/members/" + adminID, map[string]any{"role": "member"}},
			{"DELETE", base + "/members/" + adminID, nil},
			{"POST", base + "/invitations", map[string]any{"email": "intruder@example.org", "role": "admin"}},
			{"GET", base + "/api-keys", nil},
			{"POST", base + "/api-keys", map[string]any{"name": "intruder"}},
			{"DELETE", base + "/api-keys/" + victimKeyID, nil},
			{"GET", base + "/audit", nil},
			{"POST", base + "/webhooks", map[string]any{"url": "https://93.184.216.34/intruder"}},
			{"GET", base + "/webhooks", nil},
			{"GET", base + "/webhooks/" + hookID + "/deliveries", nil},
			{"DELETE", base + "/webhooks/" + hookID, nil},
		}
		before := counts(t, db)
		for _, c := range callers {
			for _, e := range endpoints {
				status, _, m := s.do(t, e.method, e.path, c.token, e.body)
				if status != c.want {
					t.Errorf("%s: %s %s: got %d, want %d; %v", c.name, e.method, e.path, status, c.want, m["detail"])
				}
			}
		}
		for _, e := range endpoints {
			if !adminOnly(e.method, e.path) {
				continue
			}
			status, _, m := s.do(t, e.method, e.path, ownMember, e.body)
			if status != http.StatusForbidden {
				t.Errorf("the organisation's own member: %s %s: got %d, want 403; %v", e.method, e.path, status, m["detail"])
			}
		}
		if after := counts(t, db); after != before {
			t.Errorf("refused requests changed the store: %+v → %+v", before, after)
		}
		if hooks := s.get(t, base+"/webhooks", admin)["items"].([]any); len(hooks) != 1 {
			t.Errorf("webhooks after the attempts: %v", hooks)
		}
		// The victim's admin still is one, and its key still works.
		members := s.get(t, base+"/members", admin)["items"].([]any)
		if len(members) != 2 || members[0].(map[string]any)["role"] != "admin" || members[1].(map[string]any)["role"] != "member" {
			t.Errorf("members after the attempts: %v, want the admin and the member as they were", members)
		}
	})
}
