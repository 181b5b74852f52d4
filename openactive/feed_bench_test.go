package openactive_test

import (
	"encoding/json"
	"testing"
	"time"

	"commonground/matching"
	"commonground/openactive"
	"commonground/seed"
)

// demoFeed is the demo county's feeds as the service builds them after the
// batch load, with every tenth space changed since on its own.
func demoFeed(b *testing.B, now time.Time) *openactive.Feed {
	b.Helper()
	ds := seed.Demo(1)
	d := openactive.NewData()
	for i := range ds.Organisations {
		d.Organisation(&ds.Organisations[i])
	}
	for i := range ds.Venues {
		d.Venue(&ds.Venues[i])
	}
	cl := &matching.ChangeLog{Revision: 2, Floor: 1, FloorAt: now.Add(-10 * 24 * time.Hour),
		Organisations: map[string]matching.LoggedChange{}, Venues: map[string]matching.LoggedChange{},
		Spaces: map[string]matching.LoggedChange{}}
	for i := range ds.Spaces {
		d.Space(&ds.Spaces[i])
		if i%10 == 0 {
			cl.Spaces[ds.Spaces[i].ID] = matching.LoggedChange{Revision: 2, At: now.Add(-time.Duration(i) * time.Minute)}
		}
	}
	d.Revision = 2
	d.Sort()
	return openactive.NewFeed(openactive.Links{Base: "https://cg.example"}, seed.Taxonomy(), d, cl)
}

// BenchmarkSlotPage: one page of 500 slots of the demo county, encoded as
// the handler sends it, at the start of the feed and from a cursor a third
// of the way through the window.
func BenchmarkSlotPage(b *testing.B) {
	now := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	f := demoFeed(b, now)
	mid := openactive.Cursor{Set: true, Modified: now.Add(-openactive.Window / 3).UnixMilli(), ID: "8"}
	// Half-way through the spaces unchanged since the batch load, which
	// share one modified value.
	p := f.SlotPage("https://cg.example/openactive/slots", openactive.Cursor{}, 200000, now)
	loaded := p.Items[len(p.Items)/2]
	inLoad := openactive.Cursor{Set: true, Modified: loaded.Modified, ID: loaded.ID}
	for _, bc := range []struct {
		name string
		at   openactive.Cursor
	}{{"start", openactive.Cursor{}}, {"middle", mid}, {"batch", inLoad}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			defer reportCPU(b, start)
			for b.Loop() {
				p := f.SlotPage("https://cg.example/openactive/slots", bc.at, openactive.PageSize, now)
				if len(p.Items) != openactive.PageSize {
					b.Fatalf("%d items", len(p.Items))
				}
				if _, err := json.Marshal(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNewFeed: building both feeds from a snapshot of the demo county
// (done once per revision).
func BenchmarkNewFeed(b *testing.B) {
	now := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		demoFeed(b, now)
	}
}
