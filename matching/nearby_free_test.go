package matching_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"commonground/geo"
	"commonground/matching"
	"commonground/seed"
)

// freeWorld is two venues at one place: a London hall with a studio open
// 09:00–22:00 (closed on 20 January 2027, booked 18:00–20:00 on the 19th)
// and a room open all day, and a New York venue with a room open
// 17:00–22:00 New York time.
func freeWorld(t *testing.T) *matching.Engine {
	t.Helper()
	org := matching.Organisation{ID: uuidN(1), Name: "Mill Road Trust", Type: matching.OrgCommunity, Location: cambridge}
	hall := matching.Venue{ID: uuidN(10), OrganisationID: org.ID, Name: "Hall", Location: offsetKm(cambridge, 1, 0), Timezone: "Europe/London"}
	ny := matching.Venue{ID: uuidN(11), OrganisationID: org.ID, Name: "Annex", Location: offsetKm(cambridge, 2, 0), Timezone: "America/New_York"}
	space := func(n int, v *matching.Venue, name string, hours []matching.OpeningHours) *matching.Space {
		return &matching.Space{ID: uuidN(n), VenueID: v.ID, OrganisationID: org.ID, Location: v.Location, Name: name,
			Kind: "studio", Capacity: 10 * (n - 99), FloorAreaM2: 120, CeilingHeightM: 4, Floor: matching.FloorSprung,
			Prices: []matching.Price{{Tier: "standard", PencePerHour: 3000}}, OpeningHours: hours}
	}
	studio := space(100, &hall, "Studio", everyDay(9*60, 22*60))
	studio.Closures = []matching.Closure{{Start: localTime(2027, 1, 20, 0, 0), End: localTime(2027, 1, 21, 0, 0), Reason: "floor works"}}
	allDay := space(101, &hall, "All day", everyDay(0, 1440))
	annex := space(102, &ny, "Annex room", everyDay(17*60, 22*60))
	e := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	l := e.Load()
	if err := l.Organisation(&org); err != nil {
		t.Fatal(err)
	}
	for _, v := range []*matching.Venue{&hall, &ny} {
		if err := l.Venue(v); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []*matching.Space{studio, allDay, annex} {
		if err := l.Space(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Booked(studio.ID, []matching.Session{session(localTime(2027, 1, 19, 18, 0), 2*time.Hour)}); err != nil {
		t.Fatal(err)
	}
	l.Commit(1)
	return e
}

func TestNearbySpacesFree(t *testing.T) {
	e := freeWorld(t)
	studio, allDay, annex := uuidN(100), uuidN(101), uuidN(102)
	at := func(d, h, m int) time.Time { return localTime(2027, 1, d, h, m) }
	for _, c := range []struct {
		name     string
		from, to time.Time
		minCap   int
		want     []string
	}{
		{"inside opening hours", at(18, 10, 0), at(18, 12, 0), 0, []string{studio, allDay}},
		{"before opening", at(18, 7, 0), at(18, 9, 30), 0, []string{allDay}},
		{"booked period overlapping by one minute", at(19, 19, 59), at(19, 21, 0), 0, []string{allDay}},
		{"starting as the booking ends", at(19, 20, 0), at(19, 21, 0), 0, []string{studio, allDay}},
		{"ending as the booking starts", at(19, 16, 0), at(19, 18, 0), 0, []string{studio, allDay}},
		{"closure", at(20, 10, 0), at(20, 11, 0), 0, []string{allDay}},
		// 23:00–01:00 in London is 18:00–20:00 in New York: only the
		// annex is open for all of it; a period is never open across a
		// local midnight, as for bookings.
		{"window crossing midnight", at(18, 23, 0), at(19, 1, 0), 0, []string{annex}},
		{"ending at local midnight", at(18, 22, 0), at(19, 0, 0), 0, []string{allDay, annex}},
		{"with a least capacity", at(18, 10, 0), at(18, 12, 0), 20, []string{allDay}},
	} {
		t.Run(c.name, func(t *testing.T) {
			win := matching.Session{Start: c.from, End: c.to}
			got, more := e.NearbySpaces(matching.NearbyQuery{Centre: cambridge, RadiusM: 10_000, Free: &win, MinCapacity: c.minCap})
			var ids []string
			for _, s := range got {
				ids = append(ids, s.ID)
			}
			if !slices.Equal(ids, c.want) || more {
				t.Errorf("got %v (more %v), want %v", ids, more, c.want)
			}
			for _, id := range []string{studio, allDay, annex} {
				if got, want := e.SpaceFreeFor(id, win), slices.Contains(c.want, id) || (c.minCap > 0 && id == studio); got != want {
					t.Errorf("SpaceFreeFor(%s) = %v, want %v", id, got, want)
				}
			}
		})
	}
	t.Run("unknown space", func(t *testing.T) {
		if e.SpaceFreeFor(uuidN(999), matching.Session{Start: at(18, 10, 0), End: at(18, 11, 0)}) {
			t.Errorf("got free, want not")
		}
	})
}

// TestNearbySpacesFreeOracle pages through nearby spaces with random
// windows and filters on seeded worlds and compares the whole answer with
// a brute-force filter over every space, checked by hand (freeByHand).
func TestNearbySpacesFreeOracle(t *testing.T) {
	for _, seedN := range []int64{1, 2} {
		t.Run(fmt.Sprint("seed=", seedN), func(t *testing.T) {
			w, e := buildOracle(t, seedN)
			acts := activitySlugs(w.tax)
			r := rand.New(rand.NewPCG(uint64(seedN), 0xf7ee))
			freeFound, pastHorizon := 0, 0
			for i := range 40 {
				centre := offsetKm(cambridge, r.Float64()*20-10, r.Float64()*20-10)
				q := matching.NearbyQuery{Centre: centre, RadiusM: 2000 + r.Float64()*15000}
				if r.IntN(4) != 0 {
					win := randomPeriod(r, 8, 21, 8)
					if r.IntN(8) == 0 { // across midnight, or days long
						win.End = win.End.Add(time.Duration(1+r.IntN(48)) * time.Hour)
					}
					q.Free = &win
					q.Now = oracleNow(r, []matching.Session{win})
				}
				if r.IntN(3) == 0 {
					q.Activity = acts[r.IntN(len(acts))]
					if r.IntN(2) == 0 {
						q.Activity = []string{"tap", "flamenco", "aerial", "ballet", "hip-hop"}[r.IntN(5)]
					}
					q.AllowOutdoor = r.IntN(2) == 0
				}
				if r.IntN(3) == 0 {
					q.MinCapacity = 1 + r.IntN(80)
				}
				if r.IntN(3) == 0 {
					q.MinStars = r.IntN(6)
				}
				var want []string
				for _, id := range sortedKeys(w.spaces) {
					s := w.spaces[id]
					v := w.venues[s.VenueID]
					if geo.DistanceM(centre, v.Location) > q.RadiusM || s.Capacity < q.MinCapacity || s.FitToDance() < q.MinStars ||
						(q.Activity != "" && breaksActivityRule(s, q.Activity, max(q.MinCapacity, 1), q.AllowOutdoor)) ||
						(q.Free != nil && !freeByHand(s, zone(v.Timezone), w.booked[id], *q.Free)) {
						continue
					}
					if q.Free != nil && pastHorizonByHand(s, q.Now, *q.Free) {
						pastHorizon++
						continue
					}
					want = append(want, id)
				}
				limit := 1 + r.IntN(30)
				ranked := walkNearby(t, q, limit, e.NearbySpaces, func(s matching.NearbySpace) geo.Ranked {
					return geo.Ranked{ID: s.ID, DistanceM: s.DistanceM}
				})
				var got []string
				for j, x := range ranked {
					got = append(got, x.ID)
					if j > 0 && x.DistanceM < ranked[j-1].DistanceM {
						t.Errorf("query %d: %s at %.0f m after %.0f m", i, x.ID, x.DistanceM, ranked[j-1].DistanceM)
					}
				}
				if q.Free != nil {
					freeFound += len(got)
				}
				sorted := slices.Clone(got)
				slices.Sort(sorted)
				if !slices.Equal(sorted, want) {
					t.Errorf("query %d (%+v, limit %d): got %d spaces, want %d\ngot  %v\nwant %v", i, q, limit, len(got), len(want), sorted, want)
				}
			}
			if freeFound == 0 {
				t.Errorf("no query with a window found a space: the oracle tested nothing")
			}
			if pastHorizon == 0 {
				t.Errorf("no space was free but for its booking horizon: the horizon went untested")
			}
		})
	}
}
