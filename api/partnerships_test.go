package api_test

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"commonground/api"
	"commonground/store"
)

// parties are two organisations that may partner and one that is party to
// nothing.
type parties struct {
	proposer, proposerToken, partner, partnerToken, outsider, outsiderToken string
}

func newParties(t *testing.T, s *server) parties {
	t.Helper()
	var p parties
	p.proposer, p.proposerToken = s.registerAt(t, "Fen Edge Dance", cLat, cLon)
	p.partner, p.partnerToken = s.register(t, with(orgBody("Arbury Youth Service", cLat, cLon), "type", "youth_service"))
	p.outsider, p.outsiderToken = s.registerAt(t, "Nosy Neighbour", cLat, cLon)
	return p
}

// reviewOn lies after the test clock's t0 (2024-01-08).
const reviewOn = "2024-06-01"

func partnershipBody(partnerID string, kv ...any) map[string]any {
	return with(map[string]any{
		"partner_id": partnerID,
		"purpose":    "Weekly dance sessions for young people in Arbury",
		"roles":      map[string]any{partnerID: "hosts the sessions and recruits young people"},
		"outcomes":   []string{"30 young people dance every week", "two young leaders trained"},
		"review_on":  reviewOn,
	}, kv...)
}

// propose posts body with token and returns the new partnership.
func (s *server) propose(t testing.TB, token string, body map[string]any) api.Partnership {
	t.Helper()
	status, _, m := s.do(t, "POST", "/v1/partnerships", token, body)
	wantStatus(t, "propose", status, http.StatusCreated, m)
	return as[api.Partnership](t, m)
}

// act posts an action and returns the status and body.
func (s *server) act(t testing.TB, id, action, token string) (int, map[string]any) {
	t.Helper()
	status, _, m := s.do(t, "POST", "/v1/partnerships/"+id+"/"+action, token, nil)
	return status, m
}

// mustAct posts actions in turn, failing t unless each answers 200.
func (s *server) mustAct(t testing.TB, id, token string, actions ...string) api.Partnership {
	t.Helper()
	var m map[string]any
	for _, a := range actions {
		var status int
		status, m = s.act(t, id, a, token)
		wantStatus(t, a, status, http.StatusOK, m)
	}
	return as[api.Partnership](t, m)
}

func TestProposePartnership(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		pt := newParties(t, s)
		body := partnershipBody(pt.partner, "roles", map[string]any{pt.proposer: "teaches", pt.partner: "hosts"})
		status, h, m := s.do(t, "POST", "/v1/partnerships", pt.proposerToken, body)
		wantStatus(t, "propose", status, http.StatusCreated, m)
		wantKeys := []string{"created_at", "evaluations", "health", "id", "outcomes", "partner_id", "proposer_id", "purpose", "review_on", "roles", "status", "updated_at"}
		if got := keys(m); !sameSet(got, wantKeys) {
			t.Errorf("keys: got %v, want %v", got, wantKeys)
		}
		health, _ := m["health"].(map[string]any)
		if got, want := health, map[string]any{"latest": nil, "by_organisation": map[string]any{}, "flags": []any{}, "checks": 0.0, "low_checks": 0.0}; !reflect.DeepEqual(got, want) {
			t.Errorf("health: got %v, want %v", got, want)
		}
		p := as[api.Partnership](t, m)
		if got, want := h.Get("Location"), "/v1/partnerships/"+p.ID; got != want {
			t.Errorf("Location: got %q, want %q", got, want)
		}
		for _, c := range []struct {
			name      string
			got, want any
		}{
			{"proposer_id", p.ProposerID, pt.proposer},
			{"partner_id", p.PartnerID, pt.partner},
			{"status", p.Status, "proposed"},
			{"purpose", p.Purpose, body["purpose"]},
			{"roles", p.Roles, map[string]string{pt.proposer: "teaches", pt.partner: "hosts"}},
			{"outcomes", p.Outcomes, []string{"30 young people dance every week", "two young leaders trained"}},
			{"review_on", p.ReviewOn, reviewOn},
			{"created_at is updated_at", p.CreatedAt, p.UpdatedAt},
		} {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("%s: got %#v, want %#v", c.name, c.got, c.want)
			}
		}
		// Both parties and the operator read the same partnership.
		for _, token := range []string{pt.proposerToken, pt.partnerToken, adminToken} {
			if got := as[api.Partnership](t, s.get(t, "/v1/partnerships/"+p.ID, token)); !reflect.DeepEqual(got, p) {
				t.Errorf("GET:\n got %+v\nwant %+v", got, p)
			}
		}
		// Proposing changes no organisation: the read model has nothing
		// to catch up with.
		for _, id := range []string{pt.proposer, pt.partner} {
			if got := s.get(t, "/v1/organisations/"+id, "")["trusted_partnerships"]; got != 0.0 {
				t.Errorf("organisation %s trusted_partnerships: got %v, want 0", id, got)
			}
		}
	})
}

func TestPartnershipAgreementValidation(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		pt := newParties(t, s)
		lab, labToken := s.register(t, with(orgBody("Granta Labs", cLat, cLon), "practices", []string{"animal-testing"}, "exclusions", []string{}))
		for _, c := range []struct {
			name   string
			body   any
			fields []string // 400 naming these
		}{
			{"unknown partner", partnershipBody("9b0a5b2e-0000-4000-8000-000000000000", "roles", map[string]any{}), []string{"partner_id"}},
			{"no partner", partnershipBody("", "roles", nil), []string{"partner_id"}},
			{"itself", partnershipBody(pt.proposer), []string{"partner_id"}},
			{"partner id with NUL", partnershipBody("a\u0000b", "roles", nil), []string{"partner_id"}},
			{"no purpose", partnershipBody(pt.partner, "purpose", nil), []string{"purpose"}},
			{"blank purpose", partnershipBody(pt.partner, "purpose", "   "), []string{"purpose"}},
			{"purpose too long", partnershipBody(pt.partner, "purpose", strings.Repeat("p", 2001)), []string{"purpose"}},
			{"role of an outsider", partnershipBody(pt.partner, "roles", map[string]any{pt.outsider: "watches"}), []string{"roles." + pt.outsider}},
			{"empty role", partnershipBody(pt.partner, "roles", map[string]any{pt.partner: ""}), []string{"roles." + pt.partner}},
			{"no outcomes", partnershipBody(pt.partner, "outcomes", []string{}), []string{"outcomes"}},
			{"missing outcomes", partnershipBody(pt.partner, "outcomes", nil), []string{"outcomes"}},
			{"21 outcomes", partnershipBody(pt.partner, "outcomes", slices.Repeat([]string{"x"}, 21)), []string{"outcomes"}},
			{"empty outcome", partnershipBody(pt.partner, "outcomes", []string{"x", ""}), []string{"outcomes[1]"}},
			{"no review date", partnershipBody(pt.partner, "review_on", nil), []string{"review_on"}},
			{"review date as a time", partnershipBody(pt.partner, "review_on", "2024-06-01T00:00:00Z"), []string{"review_on"}},
			{"review date not a day", partnershipBody(pt.partner, "review_on", "2024-02-30"), []string{"review_on"}},
			{"review date before creation", partnershipBody(pt.partner, "review_on", "2024-01-07"), []string{"review_on"}},
			{"review date too far off", partnershipBody(pt.partner, "review_on", "2099-01-01"), []string{"review_on"}},
			{"unknown field", partnershipBody(pt.partner, "status", "active"), []string{"status"}},
			{"purpose not a string", partnershipBody(pt.partner, "purpose", 5), []string{"purpose"}},
			{"roles not an object", partnershipBody(pt.partner, "roles", []string{"x"}), []string{"roles"}},
			{"several at once", partnershipBody(pt.partner, "purpose", "", "outcomes", []string{}, "review_on", "soon"), []string{"outcomes", "purpose", "review_on"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				status, _, m := s.do(t, "POST", "/v1/partnerships", pt.proposerToken, c.body)
				wantStatus(t, "propose", status, http.StatusBadRequest, m)
				if got := fieldNames(problem(t, m)); !slices.Equal(got, c.fields) {
					t.Errorf("fields: got %v, want %v", got, c.fields)
				}
			})
		}
		t.Run("malformed JSON", func(t *testing.T) {
			status, _, m := s.send(t, request{method: "POST", path: "/v1/partnerships", token: pt.proposerToken, body: `{"partner_id": `})
			wantStatus(t, "propose", status, http.StatusBadRequest, string(m))
		})
		t.Run("values conflict", func(t *testing.T) {
			// The proposer excludes animal testing (orgBody): refused
			// whichever side proposes.
			for _, c := range []struct{ from, token, to string }{{"proposer", pt.proposerToken, lab}, {"lab", labToken, pt.proposer}} {
				status, _, m := s.do(t, "POST", "/v1/partnerships", c.token, partnershipBody(c.to, "roles", nil))
				wantStatus(t, "propose from the "+c.from, status, http.StatusConflict, m)
				if d := problem(t, m).Detail; !strings.Contains(d, "animal-testing") || !strings.Contains(d, "Granta Labs") {
					t.Errorf("detail %q: want it to name the practice and the organisation", d)
				}
			}
		})
		if items := s.get(t, "/v1/partnerships", adminToken)["items"].([]any); len(items) != 0 {
			t.Errorf("refused proposals stored %d partnerships", len(items))
		}
	})
}
