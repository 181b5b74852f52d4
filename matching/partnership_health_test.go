package matching_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"commonground/matching"
)

func check(id, org string, minute int, scores ...int) matching.HealthCheck {
	c := matching.HealthCheck{ID: id, PartnershipID: "p1", OrganisationID: org, CreatedAt: created.Add(time.Duration(minute) * time.Minute)}
	copy(c.Scores[:], scores)
	return c
}

func TestHealthCheckValidate(t *testing.T) {
	for _, c := range []struct {
		name    string
		scores  []int
		comment string
		fields  []string
	}{
		{"all fives", []int{5, 5, 5, 5, 5, 5}, "", nil},
		{"all ones with a comment", []int{1, 1, 1, 1, 1, 1}, strings.Repeat("é", 2000), nil},
		{"a zero", []int{4, 0, 4, 4, 4, 4}, "", []string{"clarity_of_purpose"}},
		{"a six", []int{4, 4, 4, 4, 4, 6}, "", []string{"conflict_resolution"}},
		{"negative", []int{-1, 4, 4, 4, 4, 4}, "", []string{"commitment"}},
		{"missing (zero) everywhere", nil, "", []string{"commitment", "clarity_of_purpose", "coordination", "trust", "communication", "conflict_resolution"}},
		{"comment too long", []int{3, 3, 3, 3, 3, 3}, strings.Repeat("a", 2001), []string{"comment"}},
		{"comment with NUL", []int{3, 3, 3, 3, 3, 3}, "\x00", []string{"comment"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := check("h1", proposer, 0, c.scores...)
			h.Comment = c.comment
			err := h.Validate()
			if got := validationFields(t, err); !slices.Equal(got, c.fields) {
				t.Errorf("Validate: got fields %v (%v), want %v", got, err, c.fields)
			}
		})
	}
}

func TestHealthScoresLow(t *testing.T) {
	for _, c := range []struct {
		scores []int
		want   bool
	}{
		{[]int{3, 3, 3, 3, 3, 3}, false},
		{[]int{5, 5, 5, 5, 5, 2}, true},
		{[]int{1, 5, 5, 5, 5, 5}, true},
		{[]int{3, 4, 5, 3, 4, 5}, false},
	} {
		h := check("h", proposer, 0, c.scores...)
		if got := h.Scores.Low(); got != c.want {
			t.Errorf("%v.Low(): got %v, want %v", c.scores, got, c.want)
		}
	}
}

func TestSummariseHealth(t *testing.T) {
	for _, c := range []struct {
		name         string
		checks       []matching.HealthCheck
		wantLatest   string            // ID, "" for none
		wantByOrg    map[string]string // organisation → check ID
		wantFlags    []string
		total, lowCt int
	}{
		{name: "no checks", wantByOrg: map[string]string{}, wantFlags: []string{}},
		{
			name:       "one good check",
			checks:     []matching.HealthCheck{check("a", proposer, 1, 4, 4, 4, 4, 4, 4)},
			wantLatest: "a", wantByOrg: map[string]string{proposer: "a"}, wantFlags: []string{}, total: 1,
		},
		{
			name: "each side's newest counts, whatever the order",
			checks: []matching.HealthCheck{
				check("c", proposer, 3, 4, 4, 4, 4, 4, 4),
				check("a", proposer, 1, 1, 1, 1, 1, 1, 1), // older: its ones no longer flag
				check("b", partner, 2, 5, 5, 2, 5, 5, 3),
			},
			wantLatest: "c", wantByOrg: map[string]string{proposer: "c", partner: "b"},
			wantFlags: []string{"coordination"}, total: 3, lowCt: 2,
		},
		{
			name: "flags from both sides, in criteria order",
			checks: []matching.HealthCheck{
				check("a", proposer, 1, 5, 5, 5, 5, 5, 1),
				check("b", partner, 2, 2, 5, 5, 3, 5, 5),
			},
			wantLatest: "b", wantByOrg: map[string]string{proposer: "a", partner: "b"},
			wantFlags: []string{"commitment", "conflict_resolution"}, total: 2, lowCt: 2,
		},
		{
			name: "a tie in time goes to the greater ID",
			checks: []matching.HealthCheck{
				check("b", proposer, 1, 3, 3, 3, 3, 3, 3),
				check("a", proposer, 1, 1, 3, 3, 3, 3, 3),
			},
			wantLatest: "b", wantByOrg: map[string]string{proposer: "b"}, wantFlags: []string{}, total: 2, lowCt: 1,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := matching.SummariseHealth(c.checks, c.total, c.lowCt)
			gotLatest := ""
			if s.Latest != nil {
				gotLatest = s.Latest.ID
			}
			if gotLatest != c.wantLatest {
				t.Errorf("Latest: got %q, want %q", gotLatest, c.wantLatest)
			}
			gotByOrg := map[string]string{}
			for org, h := range s.ByOrganisation {
				gotByOrg[org] = h.ID
				if h.OrganisationID != org {
					t.Errorf("ByOrganisation[%s] is a check by %s", org, h.OrganisationID)
				}
			}
			if !mapsEqual(gotByOrg, c.wantByOrg) {
				t.Errorf("ByOrganisation: got %v, want %v", gotByOrg, c.wantByOrg)
			}
			if s.Flags == nil || !slices.Equal(s.Flags, c.wantFlags) {
				t.Errorf("Flags: got %#v, want %#v", s.Flags, c.wantFlags)
			}
			if s.Checks != c.total || s.LowChecks != c.lowCt {
				t.Errorf("Checks, LowChecks: got %d, %d, want %d, %d", s.Checks, s.LowChecks, c.total, c.lowCt)
			}
		})
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestPartnershipStayedGood(t *testing.T) {
	for _, c := range []struct {
		name                string
		status              matching.PartnershipStatus
		checks, lowCt       int
		evaluations, lowEvs int
		want                bool
	}{
		{"completed, all checks good", matching.PartnershipCompleted, 3, 0, 0, 0, true},
		{"completed, one low check", matching.PartnershipCompleted, 3, 1, 0, 0, false},
		{"completed without a check", matching.PartnershipCompleted, 0, 0, 0, 0, false},
		{"completed, checks and evaluations good", matching.PartnershipCompleted, 2, 0, 2, 0, true},
		{"completed, good checks, one low evaluation", matching.PartnershipCompleted, 2, 0, 2, 1, false},
		{"completed, no check, a good evaluation", matching.PartnershipCompleted, 0, 0, 1, 0, true},
		{"completed, no check, a low evaluation", matching.PartnershipCompleted, 0, 0, 1, 1, false},
		{"completed, low check, good evaluations", matching.PartnershipCompleted, 2, 1, 2, 0, false},
		{"active, all checks good", matching.PartnershipActive, 3, 0, 0, 0, false},
		{"ended, all checks good", matching.PartnershipEnded, 3, 0, 0, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := validPartnership()
			p.Status = c.status
			p.Health = matching.SummariseHealth(nil, c.checks, c.lowCt)
			p.Evaluations, p.LowEvaluations = c.evaluations, c.lowEvs
			if got := p.StayedGood(); got != c.want {
				t.Errorf("StayedGood: got %v, want %v", got, c.want)
			}
		})
	}
}

func TestTrustChange(t *testing.T) {
	good := validPartnership()
	good.Status = matching.PartnershipCompleted
	good.Health = matching.SummariseHealth(nil, 1, 0)
	active := good
	active.Status = matching.PartnershipActive
	lowEval := good
	lowEval.Evaluations, lowEval.LowEvaluations = 1, 1
	goodEval := good
	goodEval.Evaluations = 1
	for _, c := range []struct {
		name          string
		before, after matching.Partnership
		want          int
	}{
		{"completing a good partnership", active, good, 1},
		{"a low evaluation after completion", good, lowEval, -1},
		{"a good evaluation after completion", good, goodEval, 0},
		{"no change", active, active, 0},
	} {
		if got := matching.TrustChange(&c.before, &c.after); got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
}

func TestHealthCriteria(t *testing.T) {
	want := []string{"commitment", "clarity_of_purpose", "coordination", "trust", "communication", "conflict_resolution"}
	if !slices.Equal(matching.HealthCriteria[:], want) {
		t.Errorf("HealthCriteria: got %v, want %v", matching.HealthCriteria, want)
	}
}
