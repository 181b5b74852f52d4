package api_test

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"commonground/api"
	"commonground/store"
)

// goodHealth is a health check body scoring every criterion 4.
func goodHealth() map[string]any {
	return map[string]any{"commitment": 4, "clarity_of_purpose": 4, "coordination": 4, "trust": 4,
		"communication": 4, "conflict_resolution": 4, "comment": "on track"}
}

// partnershipEndpoints are every partnership endpoint of one partnership,
// with a body each would accept.
func partnershipEndpoints(id string) []struct {
	method, path string
	body         any
} {
	base := "/v1/partnerships/" + id
	return []struct {
		method, path string
		body         any
	}{
		{"GET", base, nil},
		{"PATCH", base, map[string]any{"purpose": "Taken over"}},
		{"POST", base + "/accept", nil},
		{"POST", base + "/decline", nil},
		{"POST", base + "/activate", nil},
		{"POST", base + "/complete", nil},
		{"POST", base + "/end", nil},
		{"POST", base + "/health", goodHealth()},
		{"GET", base + "/health", nil},
		{"GET", base + "/amendments", nil},
		{"POST", base + "/amendments/1/accept", nil},
		{"POST", base + "/amendments/1/decline", nil},
		{"GET", base + "/agreement/versions", nil},
		{"POST", base + "/evaluation", goodEvaluation("30 young people dance every week", "two young leaders trained")},
		{"GET", base + "/evaluation", nil},
	}
}

// goodEvaluation is an evaluation body scoring every criterion 4 and
// judging each of outcomes met.
func goodEvaluation(outcomes ...string) map[string]any {
	m := goodHealth()
	met := []map[string]any{}
	for _, o := range outcomes {
		met = append(met, map[string]any{"outcome": o, "met": "yes"})
	}
	m["outcomes_met"] = met
	return m
}

func TestPartnershipPermissions(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		pt := newParties(t, s)
		p := s.propose(t, pt.proposerToken, partnershipBody(pt.partner))
		path := "/v1/partnerships/" + p.ID

		t.Run("anonymous", func(t *testing.T) {
			for _, e := range append(partnershipEndpoints(p.ID), struct {
				method, path string
				body         any
			}{"GET", "/v1/partnerships", nil}, struct {
				method, path string
				body         any
			}{"POST", "/v1/partnerships", partnershipBody(pt.partner)}) {
				status, h, m := s.do(t, e.method, e.path, "", e.body)
				if status != http.StatusUnauthorized || h.Get("WWW-Authenticate") == "" {
					t.Errorf("%s %s: got %d (WWW-Authenticate %q), want 401 with a challenge; body %v", e.method, e.path, status, h.Get("WWW-Authenticate"), m)
				}
			}
		})

		t.Run("an outsider finds nothing", func(t *testing.T) {
			const missing = "0190d3a4-0000-7000-8000-000000000000"
			for _, e := range partnershipEndpoints(p.ID) {
				status, _, m := s.do(t, e.method, e.path, pt.outsiderToken, e.body)
				wantStatus(t, e.method+" "+e.path+" by an outsider", status, http.StatusNotFound, m)
				// Worded as for a partnership that does not exist.
				status, _, none := s.do(t, e.method, strings.Replace(e.path, p.ID, missing, 1), pt.outsiderToken, e.body)
				wantStatus(t, e.method+" of a missing partnership", status, http.StatusNotFound, none)
				got := strings.ReplaceAll(problem(t, m).Detail, p.ID, "ID")
				want := strings.ReplaceAll(problem(t, none).Detail, missing, "ID")
				if got != want {
					t.Errorf("%s %s: outsider's detail %q differs from a missing partnership's %q", e.method, e.path, got, want)
				}
			}
			items := s.get(t, "/v1/partnerships", pt.outsiderToken)["items"].([]any)
			if len(items) != 0 {
				t.Errorf("the outsider lists %d partnerships, want none", len(items))
			}
			if got := as[api.Partnership](t, s.get(t, path, pt.proposerToken)); got.Status != "proposed" || got.Purpose != p.Purpose {
				t.Errorf("after the outsider's attempts: got status %s purpose %q, want it untouched", got.Status, got.Purpose)
			}
		})

		t.Run("the proposer cannot answer its own proposal", func(t *testing.T) {
			for _, a := range []string{"accept", "decline"} {
				status, m := s.act(t, p.ID, a, pt.proposerToken)
				wantStatus(t, a+" by the proposer", status, http.StatusForbidden, m)
			}
			if got := as[api.Partnership](t, s.get(t, path, pt.proposerToken)).Status; got != "proposed" {
				t.Errorf("status: got %s, want proposed", got)
			}
		})

		t.Run("the operator", func(t *testing.T) {
			status, _, m := s.do(t, "POST", "/v1/partnerships", adminToken, partnershipBody(pt.partner))
			wantStatus(t, "propose as the operator", status, http.StatusForbidden, m)
			q := s.propose(t, pt.proposerToken, partnershipBody(pt.partner))
			if got := s.mustAct(t, q.ID, adminToken, "accept"); got.Status != "accepted" {
				t.Errorf("accept by the operator: got %s, want accepted", got.Status)
			}
			status, _, m = s.do(t, "POST", "/v1/partnerships/"+q.ID+"/health", adminToken, goodHealth())
			wantStatus(t, "health check by the operator", status, http.StatusForbidden, m)
			status, _, m = s.do(t, "PATCH", "/v1/partnerships/"+q.ID, adminToken, map[string]any{"purpose": "Set by the operator"})
			wantStatus(t, "PATCH by the operator", status, http.StatusOK, m)
			all := s.get(t, "/v1/partnerships", adminToken)["items"].([]any)
			one := s.get(t, "/v1/partnerships?organisation_id="+pt.outsider, adminToken)["items"].([]any)
			if len(all) != 2 || len(one) != 0 {
				t.Errorf("operator lists %d in all and %d of the outsider's, want 2 and 0", len(all), len(one))
			}
		})

		t.Run("lists are one's own", func(t *testing.T) {
			for _, token := range []string{pt.proposerToken, pt.partnerToken} {
				if items := s.get(t, "/v1/partnerships", token)["items"].([]any); len(items) != 2 {
					t.Errorf("a party lists %d partnerships, want 2", len(items))
				}
			}
			status, _, m := s.do(t, "GET", "/v1/partnerships?organisation_id="+pt.proposer, pt.outsiderToken, nil)
			wantStatus(t, "list another's partnerships", status, http.StatusForbidden, m)
			if items := s.get(t, "/v1/partnerships?organisation_id="+pt.proposer, pt.proposerToken)["items"].([]any); len(items) != 2 {
				t.Errorf("listing one's own by organisation_id: got %d, want 2", len(items))
			}
		})
	})
}

// reach drives a new partnership to status with allowed actions.
var reach = map[string][]string{
	"proposed":  nil,
	"accepted":  {"accept"},
	"declined":  {"decline"},
	"active":    {"accept", "activate"},
	"completed": {"accept", "activate", "complete"},
	"ended":     {"accept", "end"},
}

func TestPartnershipTransitions(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		pt := newParties(t, s)
		const (
			proposer = "proposer"
			partner  = "partner"
		)
		token := map[string]string{proposer: pt.proposerToken, partner: pt.partnerToken}
		final := map[string]int{} // partnerships left in each status
		// Every status × every action, by the side named: the status it
		// leads to (200), or the refusal.
		for _, c := range []struct {
			from, action, by string
			status           int
			to               string
		}{
			{"proposed", "accept", partner, 200, "accepted"},
			{"proposed", "decline", partner, 200, "declined"},
			{"proposed", "activate", proposer, 409, ""},
			{"proposed", "complete", partner, 409, ""},
			{"proposed", "end", proposer, 409, ""},
			{"accepted", "accept", partner, 409, ""},
			{"accepted", "decline", partner, 409, ""},
			{"accepted", "activate", proposer, 200, "active"},
			{"accepted", "activate", partner, 200, "active"},
			{"accepted", "complete", proposer, 409, ""},
			{"accepted", "end", partner, 200, "ended"},
			{"declined", "accept", partner, 409, ""},
			{"declined", "decline", partner, 409, ""},
			{"declined", "activate", proposer, 409, ""},
			{"declined", "complete", proposer, 409, ""},
			{"declined", "end", partner, 409, ""},
			{"active", "accept", partner, 409, ""},
			{"active", "decline", partner, 409, ""},
			{"active", "activate", partner, 409, ""},
			{"active", "complete", partner, 200, "completed"},
			{"active", "complete", proposer, 200, "completed"},
			{"active", "end", proposer, 200, "ended"},
			{"completed", "accept", partner, 409, ""},
			{"completed", "decline", partner, 409, ""},
			{"completed", "activate", proposer, 409, ""},
			{"completed", "complete", proposer, 409, ""},
			{"completed", "end", partner, 409, ""},
			{"ended", "accept", partner, 409, ""},
			{"ended", "decline", partner, 409, ""},
			{"ended", "activate", proposer, 409, ""},
			{"ended", "complete", partner, 409, ""},
			{"ended", "end", proposer, 409, ""},
		} {
			t.Run(c.from+"/"+c.action+"/by-"+c.by, func(t *testing.T) {
				p := s.propose(t, pt.proposerToken, partnershipBody(pt.partner))
				for _, a := range reach[c.from] {
					by := pt.proposerToken
					if a == "accept" || a == "decline" {
						by = pt.partnerToken
					}
					s.mustAct(t, p.ID, by, a)
				}
				status, m := s.act(t, p.ID, c.action, token[c.by])
				wantStatus(t, c.action, status, c.status, m)
				want := c.to
				if status == http.StatusOK {
					if got := as[api.Partnership](t, m); got.Status != c.to || got.UpdatedAt < p.UpdatedAt {
						t.Errorf("answer: got status %s updated %s, want %s, updated at or after %s", got.Status, got.UpdatedAt, c.to, p.UpdatedAt)
					}
				} else {
					want = c.from
					if d := problem(t, m).Detail; !strings.Contains(d, c.from) {
						t.Errorf("409 detail %q does not name the status %s", d, c.from)
					}
				}
				if got := as[api.Partnership](t, s.get(t, "/v1/partnerships/"+p.ID, pt.partnerToken)).Status; got != want {
					t.Errorf("stored status: got %s, want %s", got, want)
				}
				final[want]++
			})
		}

		t.Run("status filter", func(t *testing.T) {
			m := s.get(t, "/v1/partnerships?status=ended", pt.proposerToken)
			for _, it := range m["items"].([]any) {
				if st := it.(map[string]any)["status"]; st != "ended" {
					t.Errorf("status=ended lists a partnership that is %v", st)
				}
			}
			if n := len(m["items"].([]any)); n != final["ended"] || n == 0 {
				t.Errorf("status=ended: got %d, want the %d ended above", n, final["ended"])
			}
			status, _, bad := s.do(t, "GET", "/v1/partnerships?status=paused", pt.proposerToken, nil)
			wantStatus(t, "status=paused", status, http.StatusBadRequest, bad)
		})

		t.Run("paging", func(t *testing.T) {
			var seen []string
			next := "/v1/partnerships?limit=7"
			for pages := 0; next != ""; pages++ {
				if pages > 10 {
					t.Fatalf("more than 10 pages")
				}
				m := s.get(t, next, pt.partnerToken)
				for _, it := range m["items"].([]any) {
					seen = append(seen, it.(map[string]any)["id"].(string))
				}
				next = ""
				if nc, _ := m["next_cursor"].(string); nc != "" {
					next = "/v1/partnerships?limit=7&cursor=" + nc
				}
			}
			if len(seen) != 32 || hasDuplicates(seen) || !slices.IsSorted(seen) {
				t.Errorf("paged through %d partnerships (duplicates %v, sorted %v), want 32 once each, in order", len(seen), hasDuplicates(seen), slices.IsSorted(seen))
			}
		})
	})
}

func TestPatchPartnership(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		pt := newParties(t, s)
		p := s.propose(t, pt.proposerToken, partnershipBody(pt.partner))
		path := "/v1/partnerships/" + p.ID

		status, _, m := s.do(t, "PATCH", path, pt.partnerToken, map[string]any{"outcomes": []string{"40 young people dance"}, "review_on": "2024-09-30"})
		wantStatus(t, "PATCH by the partner", status, http.StatusOK, m)
		got := as[api.Partnership](t, m)
		if got.Purpose != p.Purpose || !reflect.DeepEqual(got.Roles, p.Roles) || !slices.Equal(got.Outcomes, []string{"40 young people dance"}) ||
			got.ReviewOn != "2024-09-30" || got.CreatedAt != p.CreatedAt || got.Status != "proposed" {
			t.Errorf("after PATCH: got %+v, want outcomes and review_on changed, the rest as %+v", got, p)
		}
		if stored := as[api.Partnership](t, s.get(t, path, pt.proposerToken)); !reflect.DeepEqual(stored, got) {
			t.Errorf("stored:\n got %+v\nwant %+v", stored, got)
		}

		roles := map[string]any{pt.proposer: "teaches"}
		status, _, m = s.do(t, "PATCH", path, pt.proposerToken, map[string]any{"roles": roles, "purpose": "Twice weekly"})
		wantStatus(t, "PATCH roles", status, http.StatusOK, m)
		if got := as[api.Partnership](t, m); !reflect.DeepEqual(got.Roles, map[string]string{pt.proposer: "teaches"}) || got.Purpose != "Twice weekly" {
			t.Errorf("roles %v purpose %q: want the roles replaced and the purpose changed", got.Roles, got.Purpose)
		}
		before := s.get(t, path, pt.proposerToken)

		for _, c := range []struct {
			name   string
			body   any
			fields []string
		}{
			{"empty purpose", map[string]any{"purpose": ""}, []string{"purpose"}},
			{"no outcomes", map[string]any{"outcomes": []string{}}, []string{"outcomes"}},
			{"outsider's role", map[string]any{"roles": map[string]any{pt.outsider: "x"}}, []string{"roles." + pt.outsider}},
			{"bad date", map[string]any{"review_on": "next spring", "purpose": ""}, []string{"purpose", "review_on"}},
			{"date before creation", map[string]any{"review_on": "2023-06-01"}, []string{"review_on"}},
			{"status is not patched", map[string]any{"status": "active"}, []string{"status"}},
			{"partner is not patched", map[string]any{"partner_id": pt.outsider}, []string{"partner_id"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				status, _, m := s.do(t, "PATCH", path, pt.proposerToken, c.body)
				wantStatus(t, "PATCH", status, http.StatusBadRequest, m)
				if got := fieldNames(problem(t, m)); !slices.Equal(got, c.fields) {
					t.Errorf("fields: got %v, want %v", got, c.fields)
				}
				if after := s.get(t, path, pt.proposerToken); !reflect.DeepEqual(after, before) {
					t.Errorf("a refused PATCH changed the partnership:\n%v\n→\n%v", before, after)
				}
			})
		}

		t.Run("while accepted and active, by consent; not after", func(t *testing.T) {
			for _, step := range []struct {
				action string
				want   int
			}{{"accept", 202}, {"activate", 202}, {"complete", 409}} {
				by := pt.proposerToken
				if step.action == "accept" {
					by = pt.partnerToken
				}
				s.mustAct(t, p.ID, by, step.action)
				status, _, m := s.do(t, "PATCH", path, pt.partnerToken, map[string]any{"purpose": "After " + step.action})
				wantStatus(t, "PATCH after "+step.action, status, step.want, m)
				if status == http.StatusAccepted {
					n := int(m["amendment"].(map[string]any)["n"].(float64))
					status, _, m = s.do(t, "POST", fmt.Sprintf("%s/amendments/%d/accept", path, n), pt.proposerToken, nil)
					wantStatus(t, "accept the amendment", status, http.StatusOK, m)
				}
			}
			if got := as[api.Partnership](t, s.get(t, path, pt.partnerToken)).Purpose; got != "After activate" {
				t.Errorf("purpose: got %q, want the last allowed edit", got)
			}
		})
	})
}
