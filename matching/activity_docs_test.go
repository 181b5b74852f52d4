package matching_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"commonground/matching"
)

// activityRow is an activity's row of the table in docs/matching-rules.md.
func activityRow(name string, p matching.ActivityProfile) string {
	num := func(x float64) string {
		if x == 0 {
			return "–"
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	floors := make([]string, len(p.UnsuitableFloors))
	for i, f := range p.UnsuitableFloors {
		floors[i] = matching.FloorLabel(f)
	}
	surfaces := make([]string, len(p.UnsuitableSurfaces))
	for i, s := range p.UnsuitableSurfaces {
		surfaces[i] = string(s)
	}
	tap, rig := "", ""
	if p.TapFloor {
		tap = "yes"
	}
	if p.RiggingKgPerDancer > 0 {
		rig = num(p.RiggingKgPerDancer) + " kg a dancer"
	}
	return "| `" + name + "` | " + num(p.MinAreaPerDancerM2) + " | " + num(p.MinCeilingM) + " | " +
		strings.Join(floors, ", ") + " | " + strings.Join(surfaces, ", ") + " | " + tap + " | " + rig + " |"
}

// TestActivityRulesDocumented holds the table of docs/matching-rules.md to
// DefaultActivityProfiles: a row for each activity, with its figures.
func TestActivityRulesDocumented(t *testing.T) {
	raw, err := os.ReadFile("../docs/matching-rules.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for name, p := range matching.DefaultActivityProfiles {
		if row := activityRow(name, p); !strings.Contains(doc, row+"\n") {
			t.Errorf("docs/matching-rules.md has no row\n%s", row)
		}
	}
}
