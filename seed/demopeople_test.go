package seed

import (
	"testing"
	"time"

	"commonground/matching"
)

func TestDemoPeople(t *testing.T) {
	ds := Demo(1)
	people, ms := DemoPeople(ds, time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC))
	if len(people) != len(ds.Organisations) || len(ms) != len(ds.Organisations) {
		t.Fatalf("got %d people and %d memberships for %d organisations", len(people), len(ms), len(ds.Organisations))
	}
	emails := map[string]bool{}
	for i, p := range people {
		if emails[p.Email] {
			t.Errorf("email %s given twice", p.Email)
		}
		emails[p.Email] = true
		if e, ok := matching.NormaliseEmail(p.Email); !ok || e != p.Email {
			t.Errorf("email %q is not a normalised address", p.Email)
		}
		if ms[i].PersonID != p.ID || ms[i].OrganisationID != ds.Organisations[i].ID || ms[i].Role != matching.RoleAdmin {
			t.Errorf("membership %d: %+v, want %s admin of %s", i, ms[i], p.ID, ds.Organisations[i].ID)
		}
	}
	again, _ := DemoPeople(ds, time.Now())
	if again[0].ID != people[0].ID || again[0].Email != people[0].Email {
		t.Errorf("demo people differ between runs: %+v then %+v", people[0], again[0])
	}
	if len(DemoRequests(ds, 1, time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC), 5)) == 0 {
		t.Error("no demo requests at request-only rooms")
	}
}
