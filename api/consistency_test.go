package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"commonground/geo"
	"commonground/matching"
	"commonground/seed"
	"commonground/store"
	"commonground/store/storetest"
)

// The read model must hold exactly what the database holds: these tests
// write through the API (and around it), then compare the engine's View
// with the store's own lists, with a fresh snapshot, and with a second
// replica's engine that follows the same database.

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

// sharedURL returns a database two stores can share: a file for SQLite,
// a fresh schema for PostgreSQL (skipping t without TEST_DATABASE_URL).
func sharedURL(t *testing.T, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "commonground.db")
	}
	return storetest.URL(t, d)
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
func storeView(t *testing.T, db *store.DB, tx *matching.Taxonomy) matching.View {
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
			for _, p := range tx.Practices {
				if tx.ValueConflictsWith(v, p.Slug) {
					objects = append(objects, p.Slug)
				}
			}
		}
		ov := matching.OrganisationView{ID: o.ID, Name: o.Name, Type: o.Type, Location: o.Location,
			ServiceRadiusKm: float32(o.ServiceRadiusKm), CapacityHoursPerMonth: o.CapacityHoursPerMonth,
			Values: known(o.Values, tx.IsValue), Practices: known(o.Practices, tx.IsPractice), Objects: known(objects, tx.IsPractice),
			Offers: []matching.CategoryHours{}, Needs: []matching.CategoryHours{}, Venues: sorted(venuesOf[o.ID])}
		for _, x := range o.Offers {
			if tx.IsCategory(x.Category) {
				ov.Offers = append(ov.Offers, matching.CategoryHours{Category: x.Category, HoursPerMonth: x.HoursPerMonth})
			}
		}
		for _, x := range o.Needs {
			if tx.IsCategory(x.Category) {
				ov.Needs = append(ov.Needs, matching.CategoryHours{Category: x.Category, HoursPerMonth: x.HoursPerMonth})
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
			Accessibility: access[s.VenueID], ProhibitedActivities: known(s.ProhibitedActivities, tx.IsActivity),
			Prices: []matching.Price{}, OpeningHours: append([]matching.OpeningHours{}, s.OpeningHours...),
			Closures: []matching.Closure{}, Booked: append([]matching.Session{}, booked[s.ID]...)}
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

// The burst: workers that each own their organisations write through the
// API at once, and now and then, as the operator, change what another
// worker owns (which may be gone: 404 is then fine).

// burstOps are the kinds of write a burst worker makes.
var burstOps = []string{"register", "patch organisation", "delete organisation", "add offer", "delete offer",
	"create venue", "move venue", "delete venue", "create space", "patch space", "delete space",
	"operator patches a space", "operator moves a venue", "book", "cancel booking"}

type burstOrg struct {
	id, token string
	venues    []*burstVenue
	offers    []string
}

type burstVenue struct {
	id     string
	spaces []string
}

// shared is what every worker has created, for the operator's writes.
type shared struct {
	mu             sync.Mutex
	venues, spaces []string
}

func (sh *shared) add(list *[]string, id string) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	*list = append(*list, id)
}

func (sh *shared) pick(r *rand.Rand, list *[]string) string {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if len(*list) == 0 {
		return ""
	}
	return (*list)[r.IntN(len(*list))]
}

type burstWorker struct {
	t     *testing.T
	s     *server
	r     *rand.Rand
	n     int
	sh    *shared
	orgs  []*burstOrg
	done  map[string]int
	names int
	// bookings are the worker's bookings: ID and the booking organisation's token.
	bookings [][2]string
}

func (w *burstWorker) name(what string) string {
	w.names++
	return fmt.Sprintf("W%d %s %d", w.n, what, w.names)
}

// call makes one request and checks its status is one of want; it
// returns the decoded body and whether the status was want[0].
func (w *burstWorker) call(op, method, path, token string, body any, want ...int) (map[string]any, bool) {
	status, _, raw := w.s.send(w.t, request{method: method, path: path, token: token, body: body})
	if !slices.Contains(want, status) {
		w.t.Errorf("worker %d, %s: %s %s: got %d, want one of %v; body %s", w.n, op, method, path, status, want, raw)
		return nil, false
	}
	var m map[string]any
	if status != http.StatusNoContent && status < 300 {
		m = decode(w.t, method+" "+path, raw)
	}
	return m, status == want[0]
}

func (w *burstWorker) point() map[string]any {
	lat, lon := offset(cLat, cLon, w.r.Float64()*40-20, w.r.Float64()*40-20)
	return map[string]any{"lat": lat, "lon": lon}
}

// subset picks some of slugs in a random order.
func (w *burstWorker) subset(slugs ...string) []string {
	out := []string{}
	for _, i := range w.r.Perm(len(slugs)) {
		if w.r.IntN(2) == 0 {
			out = append(out, slugs[i])
		}
	}
	return out
}

func (w *burstWorker) orgFields() map[string]any {
	types := []string{"arts", "youth_service", "community", "school", "council", "health", "faith", "business", "other"}
	return map[string]any{
		"type":                     types[w.r.IntN(len(types))],
		"service_radius_km":        float64(w.r.IntN(1000)) / 10,
		"capacity_hours_per_month": w.r.IntN(200),
		"values":                   w.subset("animal-welfare", "environmental-sustainability", "inclusion"),
		"practices":                w.subset("animal-testing", "fossil-fuel-sponsorship", "gambling-sponsorship"),
		"exclusions":               w.subset("animal-testing", "fossil-fuel-sponsorship", "gambling-sponsorship"),
	}
}

func (w *burstWorker) venueFields() map[string]any {
	zones := []string{"Europe/London", "Europe/Dublin", "Europe/Paris"}
	return map[string]any{
		"location": w.point(),
		"timezone": zones[w.r.IntN(len(zones))],
		"accessibility": map[string]any{"step_free": w.r.IntN(2) == 0, "accessible_toilet": w.r.IntN(2) == 0,
			"hearing_loop": w.r.IntN(2) == 0, "parking": w.r.IntN(2) == 0},
	}
}

// spaceFields is a random, valid space profile: every field a space
// has, changed opening hours, closures (in several offsets), prices in
// any order and prohibited activities in any order.
func (w *burstWorker) spaceFields() map[string]any {
	r := w.r
	kinds := []string{"studio", "hall", "classroom", "meeting_room", "theatre", "outdoor", "other"}
	floors := []string{"sprung", "semi_sprung", "wood", "vinyl", "concrete", "carpet", "other"}
	hours := []any{}
	for _, d := range w.subset("mon", "tue", "wed", "thu", "fri", "sat", "sun") {
		opens := 6*60 + r.IntN(7)*60 + r.IntN(4)*15
		closes := min(opens+60+r.IntN(12)*60, 24*60)
		hours = append(hours, map[string]any{"day": d, "opens": matching.ClockTime(opens).String(), "closes": matching.ClockTime(closes).String()})
	}
	closures := []any{}
	for i := range r.IntN(3) {
		start := time.Date(2027, time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), 0, 0, 0,
			time.FixedZone("", (r.IntN(5)-2)*3600))
		closures = append(closures, map[string]any{"start": start.Format(time.RFC3339),
			"end": start.Add(time.Duration(1+r.IntN(72)) * time.Hour).Format(time.RFC3339), "reason": fmt.Sprintf("closure %d", i)})
	}
	prices := []any{}
	for _, tier := range w.subset("community", "standard", "commercial") {
		prices = append(prices, map[string]any{"tier": tier, "pence_per_hour": 500 + r.IntN(60)*100})
	}
	return map[string]any{
		"kind": kinds[r.IntN(len(kinds))], "capacity": 1 + r.IntN(200),
		"floor_area_m2": 10 + float64(r.IntN(3000))/10, "ceiling_height_m": float64(r.IntN(800)) / 100,
		"floor": floors[r.IntN(len(floors))], "mirrors": r.IntN(2) == 0, "barres": r.IntN(2) == 0,
		"sound_system": r.IntN(2) == 0, "changing_rooms": r.IntN(2) == 0, "climate_control": r.IntN(2) == 0,
		"obstructions": r.IntN(2) == 0, "instant_book": r.IntN(4) != 0,
		"prohibited_activities": w.subset("ballet", "contemporary", "tap", "jazz", "hip-hop", "aerial"),
		"prices":                prices, "opening_hours": hours, "closures": closures,
	}
}

// some keeps a random, non-empty part of fields.
func (w *burstWorker) some(fields map[string]any) map[string]any {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := map[string]any{}
	for _, k := range keys {
		if w.r.IntN(2) == 0 {
			out[k] = fields[k]
		}
	}
	if len(out) == 0 {
		out[keys[0]] = fields[keys[0]]
	}
	return out
}

func (w *burstWorker) anyOrg() *burstOrg { return w.orgs[w.r.IntN(len(w.orgs))] }

func (w *burstWorker) anyVenue() (*burstOrg, *burstVenue, int) {
	var all [][2]int
	for i, o := range w.orgs {
		for j := range o.venues {
			all = append(all, [2]int{i, j})
		}
	}
	if len(all) == 0 {
		return nil, nil, -1
	}
	p := all[w.r.IntN(len(all))]
	return w.orgs[p[0]], w.orgs[p[0]].venues[p[1]], p[1]
}

// can reports whether the worker's state allows a write of kind op.
func (w *burstWorker) can(op string) bool {
	venues, spaces, offers := 0, 0, 0
	for _, o := range w.orgs {
		offers += len(o.offers)
		for _, v := range o.venues {
			venues++
			spaces += len(v.spaces)
		}
	}
	switch op {
	case "register":
		return true
	case "patch organisation", "add offer", "create venue":
		return len(w.orgs) > 0
	case "delete organisation":
		return len(w.orgs) > 1
	case "delete offer":
		return offers > 0
	case "move venue", "delete venue", "create space":
		return venues > 0
	case "patch space", "delete space":
		return spaces > 0
	case "operator patches a space":
		return w.sh.pick(w.r, &w.sh.spaces) != ""
	case "operator moves a venue":
		return w.sh.pick(w.r, &w.sh.venues) != ""
	case "book":
		return len(w.orgs) > 0 && w.sh.pick(w.r, &w.sh.spaces) != ""
	case "cancel booking":
		return len(w.bookings) > 0
	}
	return false
}

// plan is the worker's 15 writes, in no fixed order: a core every worker
// makes, and three more that differ from worker to worker, so that
// together they make every kind of write.
func (w *burstWorker) plan() []string {
	core := []string{"create venue", "create venue", "create space", "create space", "create space", "create space",
		"patch space", "move venue", "add offer", "patch organisation", "delete space", "book", "book", "book", "cancel booking"}
	extra := [][]string{
		{"delete offer", "delete venue", "operator patches a space"},
		{"register", "create venue", "delete organisation"},
		{"operator moves a venue", "operator patches a space", "patch space"},
		{"delete venue", "move venue", "delete offer"},
	}
	return append(core, extra[w.n%len(extra)]...)
}

// run registers an organisation, then makes the planned writes in a
// random order that their preconditions allow (or, when none can go, a
// space or venue to build on).
func (w *burstWorker) run() {
	w.step("register")
	todo := w.plan()
	for len(todo) > 0 {
		var ready []int
		for i, op := range todo {
			if w.can(op) {
				ready = append(ready, i)
			}
		}
		if len(ready) == 0 {
			if slices.Contains(todo, "cancel booking") && w.can("book") {
				w.step("book") // the bookings so far all met conflicts
				continue
			}
			if w.can("create space") {
				w.step("create space")
			} else {
				w.step("create venue")
			}
			continue
		}
		i := ready[w.r.IntN(len(ready))]
		op := todo[i]
		todo = slices.Delete(todo, i, i+1)
		w.step(op)
	}
}

// step makes one write of kind op.
func (w *burstWorker) step(op string) {
	w.done[op]++
	switch op {
	case "register":
		body := orgBody(w.name("Org"), 0, 0)
		for k, v := range w.orgFields() {
			body[k] = v
		}
		body["location"] = w.point()
		m, ok := w.call(op, "POST", "/v1/organisations", "", body, http.StatusCreated)
		if !ok {
			return
		}
		org := m["organisation"].(map[string]any)
		o := &burstOrg{id: org["id"].(string), token: m["token"].(string)}
		for _, x := range org["offers"].([]any) {
			o.offers = append(o.offers, x.(map[string]any)["id"].(string))
		}
		w.orgs = append(w.orgs, o)
	case "patch organisation":
		o := w.anyOrg()
		body := w.some(w.orgFields())
		body["name"] = w.name("Org renamed")
		if w.r.IntN(2) == 0 {
			body["location"] = w.point()
		}
		w.call(op, "PATCH", "/v1/organisations/"+o.id, o.token, body, http.StatusOK)
	case "delete organisation":
		i := len(w.orgs) - 1 // with its venues and their spaces
		if _, ok := w.call(op, "DELETE", "/v1/organisations/"+w.orgs[i].id, w.orgs[i].token, nil, http.StatusNoContent); ok {
			w.orgs = slices.Delete(w.orgs, i, i+1)
		}
	case "add offer":
		o := w.anyOrg()
		categories := []string{"skill.dance-teaching", "skill.marketing", "space.hall", "resource.minibus"}
		m, ok := w.call(op, "POST", "/v1/organisations/"+o.id+"/offers", o.token,
			map[string]any{"category": categories[w.r.IntN(len(categories))], "hours_per_month": w.r.IntN(20)}, http.StatusCreated)
		if ok {
			o.offers = append(o.offers, m["id"].(string))
		}
	case "delete offer":
		for _, o := range w.orgs {
			if len(o.offers) > 0 {
				i := w.r.IntN(len(o.offers))
				if _, ok := w.call(op, "DELETE", "/v1/offers/"+o.offers[i], o.token, nil, http.StatusNoContent); ok {
					o.offers = slices.Delete(o.offers, i, i+1)
				}
				return
			}
		}
	case "create venue":
		o := w.anyOrg()
		body := venueBody(w.name("Venue"), 0, 0)
		for k, v := range w.venueFields() {
			body[k] = v
		}
		if m, ok := w.call(op, "POST", "/v1/venues", o.token, body, http.StatusCreated); ok {
			v := &burstVenue{id: m["id"].(string)}
			o.venues = append(o.venues, v)
			w.sh.add(&w.sh.venues, v.id)
		}
	case "move venue":
		o, v, _ := w.anyVenue()
		body := w.some(w.venueFields())
		body["location"] = w.point()
		body["name"] = w.name("Venue moved")
		w.call(op, "PATCH", "/v1/venues/"+v.id, o.token, body, http.StatusOK)
	case "delete venue":
		o, v, j := w.anyVenue()
		if _, ok := w.call(op, "DELETE", "/v1/venues/"+v.id, o.token, nil, http.StatusNoContent); ok {
			o.venues = slices.Delete(o.venues, j, j+1)
		}
	case "create space":
		o, v, _ := w.anyVenue()
		body := w.spaceFields()
		body["name"] = w.name("Space")
		if m, ok := w.call(op, "POST", "/v1/venues/"+v.id+"/spaces", o.token, body, http.StatusCreated); ok {
			v.spaces = append(v.spaces, m["id"].(string))
			w.sh.add(&w.sh.spaces, m["id"].(string))
		}
	case "patch space", "delete space":
		for _, o := range w.orgs {
			for _, v := range o.venues {
				if len(v.spaces) == 0 {
					continue
				}
				i := w.r.IntN(len(v.spaces))
				if op == "patch space" {
					w.call(op, "PATCH", "/v1/spaces/"+v.spaces[i], o.token, w.some(w.spaceFields()), http.StatusOK)
				} else if _, ok := w.call(op, "DELETE", "/v1/spaces/"+v.spaces[i], o.token, nil, http.StatusNoContent); ok {
					v.spaces = slices.Delete(v.spaces, i, i+1)
				}
				return
			}
		}
	case "operator patches a space":
		id := w.sh.pick(w.r, &w.sh.spaces)
		w.call(op, "PATCH", "/v1/spaces/"+id, adminToken, w.some(w.spaceFields()), http.StatusOK, http.StatusNotFound)
	case "operator moves a venue":
		id := w.sh.pick(w.r, &w.sh.venues)
		w.call(op, "PATCH", "/v1/venues/"+id, adminToken, map[string]any{"location": w.point()}, http.StatusOK, http.StatusNotFound)
	case "book":
		// Any worker's space: 08:00, 12:00 and 16:00 for an hour on each
		// day of a week in May, taking the sessions it is open and free for.
		o := w.anyOrg()
		start := time.Date(2027, 5, 3+w.r.IntN(4)*7, 7, 0, 0, 0, time.UTC) // 08:00 BST
		var sessions []any
		for d := range 7 {
			for h := 0; h < 12; h += 4 {
				s := start.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour)
				sessions = append(sessions, map[string]any{"start": s.Format(time.RFC3339), "end": s.Add(time.Hour).Format(time.RFC3339)})
			}
		}
		m, ok := w.call(op, "POST", "/v1/spaces/"+w.sh.pick(w.r, &w.sh.spaces)+"/bookings", o.token,
			map[string]any{"sessions": sessions, "skip_conflicts": true}, http.StatusCreated, http.StatusConflict, http.StatusNotFound)
		if ok {
			w.bookings = append(w.bookings, [2]string{m["booking"].(map[string]any)["id"].(string), o.token})
			if m["booking"].(map[string]any)["status"] == "confirmed" {
				w.done["booked confirmed"]++
			}
		}
	case "cancel booking":
		i := w.r.IntN(len(w.bookings))
		b := w.bookings[i]
		w.bookings = slices.Delete(w.bookings, i, i+1)
		// 401: the booking organisation was deleted, and its token with it.
		w.call(op, "DELETE", "/v1/bookings/"+b[0], b[1], nil, http.StatusOK, http.StatusNotFound, http.StatusUnauthorized)
	}
}

// burst has workers each make 16 writes through the API at once (see
// plan) and returns how many of each kind were made.
func burst(t *testing.T, s *server, workers int) map[string]int {
	t.Helper()
	sh := &shared{}
	done := make([]map[string]int, workers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for n := range workers {
		w := &burstWorker{t: t, s: s, r: rand.New(rand.NewPCG(uint64(n), 42)), n: n, sh: sh, done: map[string]int{}}
		done[n] = w.done
		wg.Go(func() {
			<-start
			w.run()
		})
	}
	close(start)
	wg.Wait()
	total := map[string]int{}
	for _, d := range done {
		for k, v := range d {
			total[k] += v
		}
	}
	return total
}

// TestReadModelMatchesStoreAfterBurst writes through the API from many
// goroutines at once, then checks the API's read model holds exactly
// what the database holds, and (on PostgreSQL) that a second replica's
// engine, following the same database in the background from a snapshot
// taken before the burst, catches up within two seconds.
func TestReadModelMatchesStoreAfterBurst(t *testing.T) {
	const workers = 8
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.URL(t, d)
			db := openStore(t, url)
			s := newServer(t, db)
			tx := seed.Taxonomy()

			var replica *matching.Engine
			if d == store.Postgres {
				replica = matching.NewEngine(tx, matching.EngineOptions{})
				f := &store.Follower{DB: openStore(t, url), Engine: replica}
				if err := f.Load(t.Context()); err != nil {
					t.Fatalf("load the replica: %v", err)
				}
				follow(t, f, 100*time.Millisecond)
			}

			done := burst(t, s, workers)
			lastWrite := time.Now()
			for _, op := range burstOps {
				if done[op] == 0 {
					t.Errorf("the burst made no %q write (made %v)", op, done)
				}
			}
			t.Logf("burst: %v", done)

			e := engineOf(t, s)
			got := e.View()
			want := storeView(t, db, tx)
			booked := 0
			for _, sp := range want.Spaces {
				booked += len(sp.Booked)
			}
			if len(want.Spaces) < 8 || len(want.Venues) < 8 || len(want.Organisations) < workers || done["booked confirmed"] < 3 {
				t.Errorf("the burst left %d organisations, %d venues, %d spaces, and confirmed %d bookings: too few to prove much",
					len(want.Organisations), len(want.Venues), len(want.Spaces), done["booked confirmed"])
			}
			t.Logf("%d booked sessions remain", booked)
			checkView(t, "the API's engine against the store's lists", got, want)
			checkView(t, "the API's engine against a fresh snapshot", got, snapshotView(t, db))
			checkIndex(t, e, got)

			// The lists served from the index agree with the store.
			ids, _ := s.walk(t, fmt.Sprintf("/v1/spaces?near=%v,%v&radius_km=1000&limit=17", cLat, cLon))
			var all []string
			for _, sp := range want.Spaces {
				all = append(all, sp.ID)
			}
			if !sameSet(ids, all) || hasDuplicates(ids) {
				t.Errorf("GET /v1/spaces?near= found %d spaces, want each of the %d once", len(ids), len(all))
			}

			if replica == nil {
				return
			}
			for {
				if viewDiff(replica.View(), got) == nil {
					t.Logf("the replica caught up %v after the last write", time.Since(lastWrite).Round(time.Millisecond))
					break
				}
				if time.Since(lastWrite) > 2*time.Second {
					checkView(t, "the replica, 2 s after the last write, against the API's engine", replica.View(), got)
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

// TestReplicaWritesReachTheReadModel writes to the database through a
// second store, as another replica of the service would, and checks the
// API's read model sees it: within the follower's interval when it runs,
// and at once after CatchUp.
func TestReplicaWritesReachTheReadModel(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			url := sharedURL(t, d)
			db := openStore(t, url)
			other := openStore(t, url)
			s := newServer(t, db)
			e := engineOf(t, s)
			tx := seed.Taxonomy()
			ctx := t.Context()

			_, token := s.registerAt(t, "Mill Road Arts", cLat, cLon)
			venueID := s.venue(t, token, "Mill Road Depot", cLat, cLon)

			// Another replica adds a studio and moves the venue 3 km north.
			studio := &matching.Space{ID: uuid.Must(uuid.NewV7()).String(), VenueID: venueID, Name: "Replica Studio",
				Kind: "studio", Capacity: 30, FloorAreaM2: 110.5, CeilingHeightM: 4.2, Floor: matching.FloorSprung,
				Mirrors: true, Barres: true, ClimateControl: true, ProhibitedActivities: []string{"aerial"},
				Prices:       []matching.Price{{Tier: "standard", PencePerHour: 2500}},
				OpeningHours: []matching.OpeningHours{{Day: "tue", Opens: 9 * 60, Closes: 22 * 60}},
				CreatedAt:    time.Now(), UpdatedAt: time.Now()}
			if err := other.CreateSpace(ctx, studio); err != nil {
				t.Fatalf("replica: create space: %v", err)
			}
			v, err := other.GetVenue(ctx, venueID)
			if err != nil {
				t.Fatalf("replica: get venue: %v", err)
			}
			lat, lon := offset(cLat, cLon, 3, 0)
			v.Location = geo.MustPoint(lat, lon)
			if err := other.UpdateVenue(ctx, v); err != nil {
				t.Fatalf("replica: move venue: %v", err)
			}

			t.Run("seen within the follower's interval", func(t *testing.T) {
				follow(t, s.follower, 100*time.Millisecond)
				want := storeView(t, db, tx)
				wrote := time.Now()
				for viewDiff(e.View(), want) != nil {
					if time.Since(wrote) > 2*time.Second {
						checkView(t, "the API's engine, 2 s after a replica's write", e.View(), want)
						return
					}
					time.Sleep(20 * time.Millisecond)
				}
				// Served from the index: near the new place, not the old.
				ids, _ := s.walk(t, fmt.Sprintf("/v1/spaces?near=%v,%v&radius_km=0.5", lat, lon))
				if !slices.Equal(ids, []string{studio.ID}) {
					t.Errorf("spaces near the venue's new place: got %v, want the replica's studio %s", ids, studio.ID)
				}
				status, _, m := s.do(t, "POST", "/v1/match/venues", "", matchBody("radius_km", 5))
				wantStatus(t, "match", status, http.StatusOK, m)
				if got := matchIDs(m); !slices.Equal(got, []string{studio.ID}) {
					t.Errorf("matches: got %v, want the replica's studio %s", got, studio.ID)
				}
			}) // the background follower stops here

			// Without the follower, the engine learns of a replica's write
			// when CatchUp runs (as after the API's own next write).
			if err := other.DeleteSpace(ctx, studio.ID); err != nil {
				t.Fatalf("replica: delete space: %v", err)
			}
			owner := &matching.Organisation{ID: uuid.Must(uuid.NewV7()).String(), Name: "Replica Trust", Type: matching.OrgCommunity,
				Location: geo.MustPoint(cLat, cLon), Practices: []string{"gambling-sponsorship"}, CreatedAt: time.Now(), UpdatedAt: time.Now()}
			if err := other.CreateOrganisation(ctx, owner, ""); err != nil {
				t.Fatalf("replica: create organisation: %v", err)
			}
			if _, _, n := e.Counts(); n != 1 {
				t.Fatalf("before CatchUp the engine holds %d spaces, want still the 1 the replica has since deleted", n)
			}
			s.catchUp(t)
			checkView(t, "the API's engine after CatchUp", e.View(), storeView(t, db, tx))
			if _, _, n := e.Counts(); n != 0 {
				t.Errorf("after CatchUp the engine holds %d spaces, want 0", n)
			}
		})
	}
}

// storeOnly hides the store's type from newServer, which then builds a
// server without a read model: lists are served by the store alone.
type storeOnly struct{ *store.DB }

// TestListsNearFromIndexMatchStore checks that GET /v1/spaces and
// /v1/venues with near, served from the read model's index, answer
// exactly as the store alone does, for every filter, page by page.
func TestListsNearFromIndexMatchStore(t *testing.T) {
	eachServer(t, func(t *testing.T, s *server, db *store.DB) {
		plain := newServer(t, storeOnly{db})
		places := s.fixture(t)
		first, second := places[0], places[1]
		nowhere := uuid.Must(uuid.NewV7()).String()
		near := fmt.Sprintf("near=%v,%v", cLat, cLon)
		paths := []string{
			"/v1/spaces?" + near,
			"/v1/spaces?" + near + "&radius_km=3",
			"/v1/spaces?" + near + "&radius_km=1000",
			"/v1/spaces?" + near + "&radius_km=1000&kind=hall",
			"/v1/spaces?" + near + "&radius_km=1000&kind=theatre",
			"/v1/spaces?" + near + "&radius_km=20&min_capacity=40",
			"/v1/spaces?" + near + "&radius_km=20&activity=aerial",
			"/v1/spaces?" + near + "&radius_km=20&activity=tap&kind=studio&min_capacity=15",
			"/v1/spaces?" + near + "&radius_km=20&venue_id=" + first.venueID,
			"/v1/spaces?" + near + "&radius_km=0.1&venue_id=" + second.venueID,
			"/v1/spaces?" + near + "&radius_km=20&organisation_id=" + second.orgID,
			"/v1/spaces?" + near + "&radius_km=20&organisation_id=" + second.orgID + "&venue_id=" + second.venueID + "&kind=hall",
			"/v1/spaces?" + near + "&radius_km=20&organisation_id=" + first.orgID + "&venue_id=" + second.venueID,
			"/v1/spaces?" + near + "&radius_km=20&venue_id=" + nowhere,
			"/v1/spaces?" + near + "&radius_km=20&organisation_id=" + nowhere,
			"/v1/venues/" + first.venueID + "/spaces?" + near + "&radius_km=20",
			"/v1/venues/" + first.venueID + "/spaces?" + near + "&radius_km=20&kind=studio",
			"/v1/venues?" + near,
			"/v1/venues?" + near + "&radius_km=1000",
			"/v1/venues?" + near + "&radius_km=1000&organisation_id=" + second.orgID,
			"/v1/venues?" + near + "&radius_km=0.1&organisation_id=" + second.orgID,
			"/v1/venues?" + near + "&radius_km=1000&organisation_id=" + nowhere,
		}
		for _, path := range paths {
			t.Run(path, func(t *testing.T) {
				for _, limit := range []string{"1", "3", "500"} {
					gotIDs, got := s.walk(t, path+"&limit="+limit)
					wantIDs, want := plain.walk(t, path+"&limit="+limit)
					if !slices.Equal(gotIDs, wantIDs) {
						t.Errorf("limit=%s: from the index %v, from the store %v", limit, gotIDs, wantIDs)
					} else if !reflect.DeepEqual(got, want) {
						t.Errorf("limit=%s: same items, different bodies:\n index %v\n store %v", limit, got, want)
					}
				}
			})
		}
	})
}
