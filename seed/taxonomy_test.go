package seed

import (
	"regexp"
	"testing"

	"commonground/matching"
)

func TestTaxonomyHasContractSlugs(t *testing.T) {
	tax := Taxonomy()
	tests := []struct {
		kind  string
		known func(string) bool
		slugs []string
	}{
		{"category", tax.IsCategory, []string{"space.dance-studio", "space.hall", "space.rehearsal", "space.meeting-room",
			"space.theatre", "space.outdoor", "space.classroom", "skill.dance-teaching", "skill.youth-work", "skill.safeguarding",
			"skill.bid-writing", "skill.marketing", "skill.evaluation", "skill.fundraising", "skill.volunteer-management",
			"skill.music", "skill.choreography", "skill.community-engagement", "skill.accessibility-advice",
			"skill.mental-health-support", "resource.minibus", "resource.sound-equipment", "resource.costume-store",
			"resource.funding", "audience.young-people", "audience.older-people", "audience.families"}},
		{"value", tax.IsValue, []string{"animal-welfare", "environmental-sustainability", "inclusion", "youth-voice",
			"accessibility", "anti-racism", "community-ownership", "wellbeing", "faith-based", "fair-pay-for-artists"}},
		{"practice", tax.IsPractice, []string{"animal-testing", "fossil-fuel-sponsorship", "gambling-sponsorship",
			"alcohol-sponsorship", "arms-industry-links", "zero-hours-contracts", "religious-proselytising"}},
		{"activity", tax.IsActivity, []string{"ballet", "contemporary", "tap", "jazz", "hip-hop", "flamenco", "ballroom",
			"folk", "aerial", "street", "musical-theatre", "yoga", "pilates", "contact-improvisation", "cheerleading",
			"zumba", "heels", "bollywood", "african", "irish"}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			for _, s := range tt.slugs {
				if !tt.known(s) {
					t.Errorf("%s %q missing from the taxonomy", tt.kind, s)
				}
			}
		})
	}
}

func TestTaxonomyConflicts(t *testing.T) {
	tax := Taxonomy()
	for _, want := range []matching.Conflict{
		{Value: "animal-welfare", Practice: "animal-testing"},
		{Value: "environmental-sustainability", Practice: "fossil-fuel-sponsorship"},
		{Value: "wellbeing", Practice: "gambling-sponsorship"},
	} {
		if !tax.ValueConflictsWith(want.Value, want.Practice) {
			t.Errorf("ValueConflictsWith(%q, %q) = false, want true", want.Value, want.Practice)
		}
	}
	if len(tax.Conflicts) < 6 {
		t.Errorf("got %d conflicts, want at least 6", len(tax.Conflicts))
	}
	for _, c := range tax.Conflicts {
		if !tax.IsValue(c.Value) {
			t.Errorf("conflict names unknown value %q", c.Value)
		}
		if !tax.IsPractice(c.Practice) {
			t.Errorf("conflict names unknown practice %q", c.Practice)
		}
	}
}

func TestTaxonomyTerms(t *testing.T) {
	tax := Taxonomy()
	category := regexp.MustCompile(`^[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*$`)
	slug := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	if n := len(tax.Categories); n < 25 || n > 40 {
		t.Errorf("got %d categories, want 25 to 40", n)
	}
	for _, c := range tax.Categories {
		if !category.MatchString(c.Slug) {
			t.Errorf("category %q is not a dotted lowercase slug", c.Slug)
		}
		if c.Broader != "" && !tax.IsCategory(c.Broader) {
			t.Errorf("category %q: broader %q is not a category", c.Slug, c.Broader)
		}
		if c.Broader == c.Slug {
			t.Errorf("category %q is broader than itself", c.Slug)
		}
	}
	if got, _ := tax.Category("space.dance-studio"); got.Broader != "space.rehearsal" {
		t.Errorf("space.dance-studio broader = %q, want space.rehearsal", got.Broader)
	}
	lists := map[string][]matching.Term{"categories": tax.Categories, "values": tax.Values, "practices": tax.Practices, "activities": tax.Activities}
	for name, terms := range lists {
		seen := map[string]bool{}
		for _, term := range terms {
			if term.Label == "" {
				t.Errorf("%s: %q has no label", name, term.Slug)
			}
			if seen[term.Slug] {
				t.Errorf("%s: %q listed twice", name, term.Slug)
			}
			seen[term.Slug] = true
			if name != "categories" && !slug.MatchString(term.Slug) {
				t.Errorf("%s: %q is not a lowercase slug", name, term.Slug)
			}
		}
	}
	if Taxonomy() != tax {
		t.Errorf("Taxonomy() built twice, want one shared value")
	}
}
