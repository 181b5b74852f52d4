package store_test

import (
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"commonground/geo"
	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

// t0 is a fixed instant with microsecond precision, the finest both
// databases keep in a timestamp column.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

func newOrg(name string, lat, lon float64) matching.Organisation {
	return matching.Organisation{
		ID:                    uuid.NewString(),
		Name:                  name,
		Type:                  matching.OrgArts,
		Description:           "Dance for everyone in " + name,
		Website:               "https://example.org/" + strings.ToLower(strings.ReplaceAll(name, " ", "-")),
		Email:                 "hello@example.org",
		Phone:                 "01223 000000",
		Location:              geo.MustPoint(lat, lon),
		ServiceRadiusKm:       12.5,
		Values:                []string{"inclusion", "environmental-sustainability"},
		Practices:             []string{"gambling-sponsorship"},
		Exclusions:            []string{"animal-testing", "fossil-fuel-sponsorship"},
		CapacityHoursPerMonth: 20,
		Offers:                []matching.Offer{},
		Needs:                 []matching.Need{},
		CreatedAt:             t0,
		UpdatedAt:             t0.Add(90 * time.Minute),
	}
}

func newOffer(orgID, category string) matching.Offer {
	return matching.Offer{
		ID: uuid.NewString(), OrganisationID: orgID, Category: category,
		Description: "offering " + category, HoursPerMonth: 8, CreatedAt: t0.Add(time.Minute),
	}
}

func newNeed(orgID, category string) matching.Need {
	return matching.Need{
		ID: uuid.NewString(), OrganisationID: orgID, Category: category,
		Description: "looking for " + category, HoursPerMonth: 4, CreatedAt: t0.Add(2 * time.Minute),
	}
}

func newVenue(orgID, name string, lat, lon float64) matching.Venue {
	return matching.Venue{
		ID:             uuid.NewString(),
		OrganisationID: orgID,
		Name:           name,
		Address:        "1 Mill Road, Cambridge",
		Postcode:       "CB1 2AD",
		Location:       geo.MustPoint(lat, lon),
		Timezone:       matching.DefaultTimezone,
		Accessibility:  matching.Accessibility{StepFree: true, AccessibleToilet: false, HearingLoop: true, Parking: false},
		CreatedAt:      t0,
		UpdatedAt:      t0.Add(time.Hour),
	}
}

// newSpace returns a space in venueID; CreateSpace fills in its
// OrganisationID and Location from the venue.
func newSpace(venueID, name string) matching.Space {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return matching.Space{
		ID:                   uuid.NewString(),
		VenueID:              venueID,
		Name:                 name,
		Kind:                 "studio",
		Capacity:             30,
		FloorAreaM2:          120.5,
		CeilingHeightM:       4.25,
		Floor:                matching.FloorSprung,
		Mirrors:              true,
		Barres:               false,
		SoundSystem:          true,
		ChangingRooms:        false,
		ClimateControl:       true,
		Obstructions:         false,
		ProhibitedActivities: []string{"aerial", "tap"},
		InstantBook:          true,
		Prices: []matching.Price{
			{Tier: "community", PencePerHour: 1500},
			{Tier: "standard", PencePerHour: 2500},
			{Tier: "commercial", PencePerHour: 4000},
		},
		OpeningHours: []matching.OpeningHours{
			{Day: "mon", Opens: 9 * 60, Closes: 17*60 + 30},
			{Day: "mon", Opens: 18 * 60, Closes: 22 * 60},
			{Day: "sat", Opens: 10 * 60, Closes: 24 * 60},
		},
		Closures: []matching.Closure{
			// Given in local time (BST); the store keeps and returns UTC.
			{Start: time.Date(2026, 8, 31, 0, 0, 0, 0, london), End: time.Date(2026, 9, 1, 0, 0, 0, 0, london), Reason: "bank holiday"},
			{Start: time.Date(2026, 12, 24, 12, 0, 0, 123456789, time.UTC), End: time.Date(2026, 12, 27, 9, 0, 0, 0, time.UTC)},
		},
		CreatedAt: t0,
		UpdatedAt: t0.Add(time.Hour),
	}
}

func createOrg(t *testing.T, db *store.DB, o *matching.Organisation, tokenHash string) {
	t.Helper()
	if err := db.CreateOrganisation(t.Context(), o, tokenHash); err != nil {
		t.Fatalf("CreateOrganisation(%s): %v", o.Name, err)
	}
}

func createVenue(t *testing.T, db *store.DB, v *matching.Venue) {
	t.Helper()
	if err := db.CreateVenue(t.Context(), v); err != nil {
		t.Fatalf("CreateVenue(%s): %v", v.Name, err)
	}
}

func createSpace(t *testing.T, db *store.DB, s *matching.Space) {
	t.Helper()
	if err := db.CreateSpace(t.Context(), s); err != nil {
		t.Fatalf("CreateSpace(%s): %v", s.Name, err)
	}
}

func count(t *testing.T, db *store.DB) store.Counts {
	t.Helper()
	c, err := db.Count(t.Context())
	if err != nil {
		t.Fatalf("Count: %v", err)
	}
	return c
}

func checkCount(t *testing.T, db *store.DB, want store.Counts) {
	t.Helper()
	if got := count(t, db); got != want {
		t.Errorf("Count: got %+v, want %+v", got, want)
	}
}

var domainErrors = []error{matching.ErrNotFound, matching.ErrConflict, matching.ErrInvalid, matching.ErrForbidden}

// checkErr fails t unless err wraps want. Every error the store returns for
// bad input must be one of the domain errors and must not carry driver or
// SQL text that could end up in a response.
func checkErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: got nil error, want %v", what, want)
		return
	}
	if !errors.Is(err, want) {
		t.Errorf("%s: got error %q (%T), want one wrapping %v", what, err, err, want)
	}
	domain := false
	for _, d := range domainErrors {
		domain = domain || errors.Is(err, d)
	}
	if !domain {
		t.Errorf("%s: got error %q, which wraps no domain error", what, err)
	}
	msg := strings.ToLower(err.Error())
	for _, leak := range []string{"sqlstate", "constraint", "sqlite", "violates", "insert into", "select "} {
		if strings.Contains(msg, leak) {
			t.Errorf("%s: error %q leaks database text %q", what, err, leak)
		}
	}
}

// field is one named comparison; times compare with Equal, everything
// else with reflect.DeepEqual.
type field struct {
	name      string
	got, want any
}

func checkFields(t *testing.T, what string, fields []field) {
	t.Helper()
	for _, f := range fields {
		gt, gok := f.got.(time.Time)
		wt, wok := f.want.(time.Time)
		if gok && wok {
			if !gt.Equal(wt) {
				t.Errorf("%s.%s: got %v, want %v", what, f.name, gt, wt)
			}
			continue
		}
		if !reflect.DeepEqual(f.got, f.want) {
			t.Errorf("%s.%s: got %#v, want %#v", what, f.name, f.got, f.want)
		}
	}
}

func checkOrganisation(t *testing.T, got, want *matching.Organisation) {
	t.Helper()
	what := "organisation " + want.Name
	checkFields(t, what, []field{
		{"ID", got.ID, want.ID},
		{"Name", got.Name, want.Name},
		{"Type", got.Type, want.Type},
		{"Description", got.Description, want.Description},
		{"Website", got.Website, want.Website},
		{"Email", got.Email, want.Email},
		{"Phone", got.Phone, want.Phone},
		{"Location", got.Location, want.Location},
		{"ServiceRadiusKm", got.ServiceRadiusKm, want.ServiceRadiusKm},
		{"Values", got.Values, want.Values},
		{"Practices", got.Practices, want.Practices},
		{"Exclusions", got.Exclusions, want.Exclusions},
		{"CapacityHoursPerMonth", got.CapacityHoursPerMonth, want.CapacityHoursPerMonth},
		{"TrustedPartnerships", got.TrustedPartnerships, want.TrustedPartnerships},
		{"CreatedAt", got.CreatedAt, want.CreatedAt},
		{"UpdatedAt", got.UpdatedAt, want.UpdatedAt},
		{"len(Offers)", len(got.Offers), len(want.Offers)},
		{"len(Needs)", len(got.Needs), len(want.Needs)},
	})
	if len(got.Offers) == len(want.Offers) {
		wo := slices.Clone(want.Offers)
		slices.SortFunc(wo, func(a, b matching.Offer) int { return strings.Compare(a.ID, b.ID) })
		for i := range wo {
			checkOffer(t, &got.Offers[i], &wo[i])
		}
	}
	if len(got.Needs) == len(want.Needs) {
		wn := slices.Clone(want.Needs)
		slices.SortFunc(wn, func(a, b matching.Need) int { return strings.Compare(a.ID, b.ID) })
		for i := range wn {
			checkNeed(t, &got.Needs[i], &wn[i])
		}
	}
	for _, tm := range []time.Time{got.CreatedAt, got.UpdatedAt} {
		if tm.Location() != time.UTC {
			t.Errorf("%s: time %v: got location %v, want UTC", what, tm, tm.Location())
		}
	}
}

func checkOffer(t *testing.T, got, want *matching.Offer) {
	t.Helper()
	checkFields(t, "offer "+want.ID, []field{
		{"ID", got.ID, want.ID},
		{"OrganisationID", got.OrganisationID, want.OrganisationID},
		{"Category", got.Category, want.Category},
		{"Description", got.Description, want.Description},
		{"HoursPerMonth", got.HoursPerMonth, want.HoursPerMonth},
		{"CreatedAt", got.CreatedAt, want.CreatedAt},
	})
}

func checkNeed(t *testing.T, got, want *matching.Need) {
	t.Helper()
	checkFields(t, "need "+want.ID, []field{
		{"ID", got.ID, want.ID},
		{"OrganisationID", got.OrganisationID, want.OrganisationID},
		{"Category", got.Category, want.Category},
		{"Description", got.Description, want.Description},
		{"HoursPerMonth", got.HoursPerMonth, want.HoursPerMonth},
		{"CreatedAt", got.CreatedAt, want.CreatedAt},
	})
}

func checkVenue(t *testing.T, got, want *matching.Venue) {
	t.Helper()
	checkFields(t, "venue "+want.Name, []field{
		{"ID", got.ID, want.ID},
		{"OrganisationID", got.OrganisationID, want.OrganisationID},
		{"Name", got.Name, want.Name},
		{"Address", got.Address, want.Address},
		{"Postcode", got.Postcode, want.Postcode},
		{"Location", got.Location, want.Location},
		{"Timezone", got.Timezone, want.Timezone},
		{"Accessibility", got.Accessibility, want.Accessibility},
		{"CreatedAt", got.CreatedAt, want.CreatedAt},
		{"UpdatedAt", got.UpdatedAt, want.UpdatedAt},
	})
}

// checkSpace compares every field but the timestamps, which callers check
// themselves where they matter.
func checkSpace(t *testing.T, got, want *matching.Space) {
	t.Helper()
	checkFields(t, "space "+want.Name, []field{
		{"ID", got.ID, want.ID},
		{"VenueID", got.VenueID, want.VenueID},
		{"OrganisationID", got.OrganisationID, want.OrganisationID},
		{"Location", got.Location, want.Location},
		{"Name", got.Name, want.Name},
		{"Kind", got.Kind, want.Kind},
		{"Capacity", got.Capacity, want.Capacity},
		{"FloorAreaM2", got.FloorAreaM2, want.FloorAreaM2},
		{"CeilingHeightM", got.CeilingHeightM, want.CeilingHeightM},
		{"Floor", got.Floor, want.Floor},
		{"Mirrors", got.Mirrors, want.Mirrors},
		{"Barres", got.Barres, want.Barres},
		{"SoundSystem", got.SoundSystem, want.SoundSystem},
		{"ChangingRooms", got.ChangingRooms, want.ChangingRooms},
		{"ClimateControl", got.ClimateControl, want.ClimateControl},
		{"Obstructions", got.Obstructions, want.Obstructions},
		{"ProhibitedActivities", got.ProhibitedActivities, want.ProhibitedActivities},
		{"InstantBook", got.InstantBook, want.InstantBook},
		{"Prices", got.Prices, want.Prices},
		{"OpeningHours", got.OpeningHours, want.OpeningHours},
		{"len(Closures)", len(got.Closures), len(want.Closures)},
		{"IsOutdoor", got.IsOutdoor(), want.IsOutdoor()},
		{"Surface", got.Surface, want.Surface},
		{"RiggingPoints", fmt.Sprint(got.RiggingPoints), fmt.Sprint(want.RiggingPoints)},
		{"TapBoards", got.TapBoards, want.TapBoards},
	})
	if len(got.Closures) != len(want.Closures) {
		return
	}
	for i, w := range want.Closures {
		g := got.Closures[i]
		checkFields(t, fmt.Sprintf("space %s closure %d", want.Name, i), []field{
			{"Start", g.Start, w.Start},
			{"End", g.End, w.End},
			{"Reason", g.Reason, w.Reason},
			{"Start.Location", g.Start.Location().String(), "UTC"},
			{"End.Location", g.End.Location().String(), "UTC"},
		})
	}
}

// openWithClock opens a fresh store of dialect d whose clock always reads now.
func openWithClock(t *testing.T, d store.Dialect, now time.Time) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), storetest.URL(t, d), store.Options{
		Logger: slog.New(slog.DiscardHandler),
		Now:    func() time.Time { return now },
	})
	if err != nil {
		t.Fatalf("open %s store: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// eachWithClock is storetest.Each for a store with a fixed clock.
func eachWithClock(t *testing.T, now time.Time, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) { fn(t, openWithClock(t, d, now)) })
	}
}

func ids[T any](items []T, id func(*T) string) []string {
	out := make([]string, len(items))
	for i := range items {
		out[i] = id(&items[i])
	}
	return out
}

func orgIDs(os []matching.Organisation) []string {
	return ids(os, func(o *matching.Organisation) string { return o.ID })
}

func venueIDs(vs []matching.Venue) []string {
	return ids(vs, func(v *matching.Venue) string { return v.ID })
}

func spaceIDs(ss []matching.Space) []string {
	return ids(ss, func(s *matching.Space) string { return s.ID })
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	if s == nil {
		s = []string{}
	}
	return s
}
