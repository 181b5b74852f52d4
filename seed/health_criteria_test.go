package seed

import (
	"strings"
	"testing"

	"commonground/matching"
)

// TestHealthCriteriaPrompts holds the taxonomy's health criteria to the
// criteria health checks score: the six, in order, each with a label and
// questions (each one a question, none repeated).
func TestHealthCriteriaPrompts(t *testing.T) {
	cs := Taxonomy().HealthCriteria
	if len(cs) != matching.NumHealthCriteria {
		t.Fatalf("got %d health criteria, want %d", len(cs), matching.NumHealthCriteria)
	}
	seen := map[string]bool{}
	for i, c := range cs {
		if c.Slug != matching.HealthCriteria[i] || c.Label == "" || len(c.Prompts) < 2 {
			t.Errorf("criterion %d: got %q (label %q, %d prompts), want %q, a label and at least 2 prompts",
				i, c.Slug, c.Label, len(c.Prompts), matching.HealthCriteria[i])
		}
		for _, p := range c.Prompts {
			if !strings.HasSuffix(p, "?") || seen[p] {
				t.Errorf("%s: prompt %q is not a question, or is repeated", c.Slug, p)
			}
			seen[p] = true
		}
	}
	// WithHealthCriteria refuses criteria out of order or without prompts.
	bad := healthCriteria()
	bad[0], bad[1] = bad[1], bad[0]
	if _, err := Taxonomy().WithHealthCriteria(bad); err == nil {
		t.Error("WithHealthCriteria took criteria out of order")
	}
	bad = healthCriteria()
	bad[5].Prompts = nil
	if _, err := Taxonomy().WithHealthCriteria(bad); err == nil {
		t.Error("WithHealthCriteria took a criterion without prompts")
	}
}
