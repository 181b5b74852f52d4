package api_test

import (
	"net/http"
	"testing"
	"time"

	"commonground/api"
	"commonground/store"
	"commonground/store/storetest"
)

// TestPeopleEndpointsRefuseOutsiders runs every people endpoint that acts
// on an organisation against callers who must not: no token, an expired
// session, a revoked key (401), and another organisation's admin, member
// and key, and a removed member (403). None of them changes anything.
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
		if after := counts(t, db); after != before {
			t.Errorf("refused requests changed the store: %+v → %+v", before, after)
		}
		// The victim's admin still is one, and its key still works.
		members := s.get(t, base+"/members", admin)["items"].([]any)
		if len(members) != 1 || members[0].(map[string]any)["role"] != "admin" {
			t.Errorf("members after the attempts: %v", members)
		}
	})
}
