package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"commonground/geo"
	"commonground/matching"
	"commonground/seed"
	"commonground/store"
)

// openStore opens one more store on url, closed when t ends.
func openStore(t *testing.T, url string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), url, store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// engineOf is the test server's read model.
func engineOf(t *testing.T, s *server) *matching.Engine {
	t.Helper()
	if s.follower == nil {
		t.Fatal("the test server has no read model")
	}
	return s.follower.Engine
}

// follow runs f in the background every interval until t ends.
func follow(t *testing.T, f *store.Follower, interval time.Duration) {
	t.Helper()
	f.Interval = interval
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.Run(ctx)
	}()
	// Registered after the stores were opened, so it runs before they close.
	t.Cleanup(func() { cancel(); <-done })
}

// storeView builds, from the store's own lists, the View an engine that
// holds exactly the database would give: every record, sorted by ID, in
// the engine's terms (slugs the taxonomy knows, in slug order; practices
// an organisation objects to from its exclusions and values; offers and
// needs in ID order; prices in tier order; float32 service radius, area
// and ceiling; closures without reasons; spaces with their venue's
// accessibility; confirmed booked periods by start).
func storeView(t *testing.T, db *store.DB, tax *matching.Taxonomy) matching.View {
	t.Helper()
	ctx := t.Context()
	rev, err := db.Revision(ctx)
	if err != nil {
		t.Fatalf("revision: %v", err)
	}
	orgs, err := db.ListOrganisations(ctx, matching.OrganisationFilter{})
	if err != nil {
		t.Fatalf("list organisations: %v", err)
	}
	venues, err := db.ListVenues(ctx, matching.VenueFilter{})
	if err != nil {
		t.Fatalf("list venues: %v", err)
	}
	spaces, err := db.ListSpaces(ctx, matching.SpaceFilter{})
	if err != nil {
		t.Fatalf("list spaces: %v", err)
	}
	booked := confirmedBySpace(t, db)
	if again, err := db.Revision(ctx); err != nil || again != rev {
		t.Fatalf("the store changed while it was read (revision %d, then %d, %v)", rev, again, err)
	}
	venuesOf, spacesOf := map[string][]string{}, map[string][]string{}
	access := map[string]matching.Accessibility{}
	for _, v := range venues {
		venuesOf[v.OrganisationID] = append(venuesOf[v.OrganisationID], v.ID)
		access[v.ID] = v.Accessibility
	}
	for _, s := range spaces {
		spacesOf[s.VenueID] = append(spacesOf[s.VenueID], s.ID)
	}
	view := matching.View{Revision: rev, Organisations: []matching.OrganisationView{}, Venues: []matching.VenueView{}, Spaces: []matching.SpaceView{}}
	for _, o := range orgs {
		objects := slices.Clone(o.Exclusions)
		for _, v := range o.Values {
			for _, p := range tax.Practices {
				if tax.ValueConflictsWith(v, p.Slug) {
					objects = append(objects, p.Slug)
				}
			}
		}
		ov := matching.OrganisationView{ID: o.ID, Name: o.Name, Type: o.Type, Location: o.Location,
			ServiceRadiusKm: float32(o.ServiceRadiusKm), CapacityHoursPerMonth: o.CapacityHoursPerMonth,
			Values: known(o.Values, tax.IsValue), Practices: known(o.Practices, tax.IsPractice), Objects: known(objects, tax.IsPractice),
			Offers: []matching.CategoryHours{}, Needs: []matching.CategoryHours{}, Venues: sorted(venuesOf[o.ID])}
		for _, x := range o.Offers {
			if tax.IsCategory(x.Category) {
				ov.Offers = append(ov.Offers, matching.CategoryHours{Category: x.Category, HoursPerMonth: x.HoursPerMonth})
			}
		}
		ov.RoomNeeds = []matching.Need{}
		for _, x := range o.Needs {
			if tax.IsCategory(x.Category) {
				ov.Needs = append(ov.Needs, matching.CategoryHours{Category: x.Category, HoursPerMonth: x.HoursPerMonth})
				if matching.IsSpaceCategory(x.Category) {
					ov.RoomNeeds = append(ov.RoomNeeds, matching.Need{ID: x.ID, OrganisationID: o.ID, Category: x.Category,
						GroupSize: x.GroupSize, Activity: x.Activity, Windows: append([]matching.Window{}, x.Windows...),
						MaxPencePerHour: x.MaxPencePerHour})
				}
			}
		}
		view.Organisations = append(view.Organisations, ov)
	}
	for _, v := range venues {
		view.Venues = append(view.Venues, matching.VenueView{ID: v.ID, OrganisationID: v.OrganisationID, Name: v.Name,
			Location: v.Location, Timezone: v.Timezone, Accessibility: v.Accessibility, Spaces: sorted(spacesOf[v.ID])})
	}
	for _, s := range spaces {
		sv := matching.SpaceView{ID: s.ID, VenueID: s.VenueID, OrganisationID: s.OrganisationID, Name: s.Name, Kind: s.Kind,
			Location: s.Location, Capacity: s.Capacity, FloorAreaM2: float32(s.FloorAreaM2), CeilingHeightM: float32(s.CeilingHeightM),
			Floor: s.Floor, FitToDance: s.FitToDance(), Mirrors: s.Mirrors, Barres: s.Barres, SoundSystem: s.SoundSystem,
			ChangingRooms: s.ChangingRooms, ClimateControl: s.ClimateControl, Obstructions: s.Obstructions, InstantBook: s.InstantBook,
			Accessibility: access[s.VenueID], ProhibitedActivities: known(s.ProhibitedActivities, tax.IsActivity),
			Prices: []matching.Price{}, OpeningHours: append([]matching.OpeningHours{}, s.OpeningHours...),
			Closures: []matching.Closure{}, Booked: append([]matching.Session{}, booked[s.ID]...),
			TurnaroundMinutes: s.TurnaroundMinutes,
			Outdoor:           s.IsOutdoor(), Surface: s.Surface, RiggingPoints: append([]matching.RiggingPoint{}, s.RiggingPoints...),
			TapBoards: s.TapBoards}
		for _, tier := range matching.Tiers {
			if p, ok := s.PriceFor(tier); ok {
				sv.Prices = append(sv.Prices, matching.Price{Tier: tier, PencePerHour: p})
			}
		}
		for _, c := range s.Closures {
			sv.Closures = append(sv.Closures, matching.Closure{Start: c.Start.UTC(), End: c.End.UTC()})
		}
		view.Spaces = append(view.Spaces, sv)
	}
	sort.Slice(view.Organisations, func(i, j int) bool { return view.Organisations[i].ID < view.Organisations[j].ID })
	sort.Slice(view.Venues, func(i, j int) bool { return view.Venues[i].ID < view.Venues[j].ID })
	sort.Slice(view.Spaces, func(i, j int) bool { return view.Spaces[i].ID < view.Spaces[j].ID })
	return view
}

// confirmedBySpace reads every confirmed occurrence from the database,
// by space and start.
func confirmedBySpace(t *testing.T, db *store.DB) map[string][]matching.Session {
	t.Helper()
	var rows []struct {
		SpaceID          string
		StartsAt, EndsAt time.Time
	}
	err := db.Gorm().Raw("SELECT space_id, starts_at, ends_at FROM booking_occurrences WHERE status = 'confirmed' ORDER BY space_id, starts_at").
		Scan(&rows).Error
	if err != nil {
		t.Fatalf("read booked periods: %v", err)
	}
	out := map[string][]matching.Session{}
	for _, r := range rows {
		out[r.SpaceID] = append(out[r.SpaceID], matching.Session{Start: r.StartsAt.UTC(), End: r.EndsAt.UTC()})
	}
	return out
}

// known keeps the slugs the taxonomy knows, once each, sorted.
func known(slugs []string, ok func(string) bool) []string {
	out := []string{}
	for _, s := range slugs {
		if ok(s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

func sorted(ids []string) []string {
	out := append([]string{}, ids...)
	slices.Sort(out)
	return out
}

// snapshotView loads a fresh engine from a snapshot of db and views it.
func snapshotView(t *testing.T, db *store.DB) matching.View {
	t.Helper()
	e := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	l := e.Load()
	rev, err := db.Snapshot(t.Context(), l)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	l.Commit(rev)
	return e.View()
}

// viewDiff lists how got differs from want, record by record (nil: the
// same).
func viewDiff(got, want matching.View) []string {
	var out []string
	if got.Revision != want.Revision {
		out = append(out, fmt.Sprintf("revision: got %d, want %d", got.Revision, want.Revision))
	}
	out = append(out, listDiff("organisation", got.Organisations, want.Organisations, func(o matching.OrganisationView) string { return o.ID })...)
	out = append(out, listDiff("venue", got.Venues, want.Venues, func(v matching.VenueView) string { return v.ID })...)
	return append(out, listDiff("space", got.Spaces, want.Spaces, func(s matching.SpaceView) string { return s.ID })...)
}

func listDiff[T any](what string, got, want []T, id func(T) string) []string {
	var out []string
	g := make(map[string]T, len(got))
	for _, x := range got {
		g[id(x)] = x
	}
	w := make(map[string]T, len(want))
	for _, x := range want {
		w[id(x)] = x
	}
	for _, x := range want {
		y, ok := g[id(x)]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s %s: missing, want %+v", what, id(x), x))
		case !reflect.DeepEqual(y, x):
			out = append(out, fmt.Sprintf("%s %s:\n  got %+v\n want %+v", what, id(x), y, x))
		}
	}
	for _, x := range got {
		if _, ok := w[id(x)]; !ok {
			out = append(out, fmt.Sprintf("%s %s: got %+v, want none", what, id(x), x))
		}
	}
	if len(out) == 0 && !reflect.DeepEqual(got, want) {
		out = append(out, fmt.Sprintf("%ss: same records, different order or duplicates", what))
	}
	return out
}

// checkView fails t with every difference between got and want.
func checkView(t *testing.T, what string, got, want matching.View) {
	t.Helper()
	if d := viewDiff(got, want); d != nil {
		if len(d) > 20 {
			d = append(d[:20], fmt.Sprintf("… and %d more", len(d)-20))
		}
		t.Errorf("%s: %d differences:\n%s", what, len(d), strings.Join(d, "\n"))
	}
}

// checkIndex checks the engine's spatial index holds every space and
// venue at its place: each is found within a metre of where the View
// puts it, and a search of the whole country finds them all, once.
func checkIndex(t *testing.T, e *matching.Engine, v matching.View) {
	t.Helper()
	for _, s := range v.Spaces {
		got, _ := e.NearbySpaces(matching.NearbyQuery{Centre: s.Location, RadiusM: 1, VenueID: s.VenueID})
		if !slices.ContainsFunc(got, func(n matching.NearbySpace) bool { return n.ID == s.ID }) {
			t.Errorf("space %s is not in the index at %v", s.ID, s.Location)
		}
	}
	for _, x := range v.Venues {
		got, _ := e.NearbyVenues(matching.NearbyQuery{Centre: x.Location, RadiusM: 1, OrganisationID: x.OrganisationID})
		if !slices.ContainsFunc(got, func(n matching.NearbyVenue) bool { return n.ID == x.ID && n.Spaces == len(x.Spaces) }) {
			t.Errorf("venue %s with %d spaces is not in the index at %v", x.ID, len(x.Spaces), x.Location)
		}
	}
	if orgs, venues, spaces := e.Counts(); orgs != len(v.Organisations) || venues != len(v.Venues) || spaces != len(v.Spaces) {
		t.Errorf("the engine counts %d organisations, %d venues, %d spaces; its records hold %d, %d, %d",
			orgs, venues, spaces, len(v.Organisations), len(v.Venues), len(v.Spaces))
	}
	everywhere := matching.NearbyQuery{Centre: geo.MustPoint(cLat, cLon), RadiusM: 1000e3}
	spaces, _ := e.NearbySpaces(everywhere)
	var ids, want []string
	for _, s := range spaces {
		ids = append(ids, s.ID)
	}
	for _, s := range v.Spaces {
		want = append(want, s.ID)
	}
	if !sameSet(ids, want) || hasDuplicates(ids) {
		t.Errorf("the index finds spaces %v, want each of %v once", ids, want)
	}
	venues, _ := e.NearbyVenues(everywhere)
	ids, want = nil, nil
	for _, x := range venues {
		ids = append(ids, x.ID)
	}
	for _, x := range v.Venues {
		want = append(want, x.ID)
	}
	if !sameSet(ids, want) || hasDuplicates(ids) {
		t.Errorf("the index finds venues %v, want each of %v once", ids, want)
	}
}
