package matching_test

import (
	"testing"
	"time"

	"commonground/matching"
)

type goldenGroup struct {
	Rank        int            `json:"rank"`
	Name        string         `json:"name"`
	Type        string         `json:"type"`
	Need        string         `json:"need"`
	GroupSize   int            `json:"group_size"`
	Activity    string         `json:"activity"`
	DistanceKm  float64        `json:"distance_km"`
	Score       float64        `json:"score"`
	FreeWindows []string       `json:"free_windows"`
	Reasons     []goldenReason `json:"reasons"`
}

// TestMatchGroupsGolden holds the explanations of the groups matched to
// one demo room (the busiest within 15 km, seed 1, on a Monday morning in
// January) to testdata/golden/groups_demo_room.json. Update with -update
// after a deliberate change, and read the diff.
func TestMatchGroupsGolden(t *testing.T) {
	e, _ := groupsDemo()
	id, name, _ := busiestDemoRoom(t)
	res, err := e.MatchGroups(matching.GroupRequest{SpaceID: id, Now: groupsNow})
	if err != nil {
		t.Fatal(err)
	}
	out := struct {
		Room         string         `json:"room"`
		Now          string         `json:"now"`
		TotalMatches int            `json:"total_matches"`
		Excluded     map[string]int `json:"excluded"`
		Matches      []goldenGroup  `json:"matches"`
	}{Room: name + " (" + id + ")", Now: groupsNow.Format(time.RFC3339), TotalMatches: res.TotalMatches, Excluded: res.Excluded}
	london := zone("Europe/London")
	for i, m := range res.Matches {
		g := goldenGroup{Rank: i + 1, Name: m.Name, Type: string(m.Type), Need: m.Category, GroupSize: m.GroupSize,
			Activity: m.Activity, DistanceKm: m.DistanceKm, Score: round4(m.Score), FreeWindows: []string{}}
		for _, w := range m.FreeWindows {
			g.FreeWindows = append(g.FreeWindows, w.Start.In(london).Format("Mon 2 Jan 15:04")+"–"+w.End.In(london).Format("15:04"))
		}
		for _, r := range m.Reasons {
			g.Reasons = append(g.Reasons, goldenReason{r.Factor, round4(r.Value), round4(r.Contribution), r.Detail})
		}
		out.Matches = append(out.Matches, g)
	}
	checkGolden(t, "groups_demo_room", out)
}
