package store_test

import (
	"fmt"
	"testing"

	"github.com/paulmach/orb"

	"commonground/geo"
	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

// box is the search box of the list tests: around Cambridge and Ely.
var box = orb.Bound{Min: geo.MustPoint(52.0, -0.5), Max: geo.MustPoint(52.5, 0.5)}

// listFixture is a small world: organisations in and out of box, with
// offers and needs, venues and spaces of several kinds and sizes.
type listFixture struct {
	orgs   map[string]matching.Organisation
	venues map[string]matching.Venue
	spaces map[string]matching.Space
}

func (f *listFixture) org(name string) string   { return f.orgs[name].ID }
func (f *listFixture) venue(name string) string { return f.venues[name].ID }

func (f *listFixture) orgIDs(names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, f.org(n))
	}
	return sorted(out)
}

func (f *listFixture) venueIDs(names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, f.venue(n))
	}
	return sorted(out)
}

func (f *listFixture) spaceIDs(names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, f.spaces[n].ID)
	}
	return sorted(out)
}

func newListFixture(t *testing.T, db *store.DB) *listFixture {
	t.Helper()
	f := &listFixture{orgs: map[string]matching.Organisation{}, venues: map[string]matching.Venue{}, spaces: map[string]matching.Space{}}
	orgs := []struct {
		name          string
		typ           matching.OrgType
		lat, lon      float64
		offers, needs []string
	}{
		{"Cambridge", matching.OrgArts, 52.2053, 0.1218, []string{"skill.dance-teaching", "skill.marketing"}, []string{"space.dance-studio"}},
		{"Ely", matching.OrgYouthService, 52.3995, 0.2624, []string{"space.hall"}, []string{"skill.dance-teaching", "skill.safeguarding"}},
		{"Corner", matching.OrgArts, 52.5, 0.5, nil, []string{"skill.safeguarding"}}, // on the box's edge: inside
		{"London", matching.OrgSchool, 51.5072, -0.1276, []string{"skill.dance-teaching"}, nil},
		{"JustNorth", matching.OrgArts, 52.5001, 0.2, []string{"space.hall"}, nil},
		{"Sydney", matching.OrgCouncil, -33.8688, 151.2093, []string{"resource.minibus"}, []string{"space.hall"}},
	}
	for _, x := range orgs {
		o := newOrg(x.name, x.lat, x.lon)
		o.Type = x.typ
		for _, c := range x.offers {
			o.Offers = append(o.Offers, newOffer(o.ID, c))
		}
		for _, c := range x.needs {
			o.Needs = append(o.Needs, newNeed(o.ID, c))
		}
		createOrg(t, db, &o, "")
		f.orgs[x.name] = o
	}
	venues := []struct {
		name, org string
		lat, lon  float64
	}{
		{"Mill Road", "Cambridge", 52.1986, 0.1400},
		{"Kettle's Yard", "Cambridge", 52.2107, 0.1144},
		{"Ely Cathedral Hall", "Ely", 52.3986, 0.2638},
		{"Sadler's Wells", "London", 51.5294, -0.1062},
		{"Opera House", "Sydney", -33.8568, 151.2153},
	}
	for _, x := range venues {
		v := newVenue(f.org(x.org), x.name, x.lat, x.lon)
		createVenue(t, db, &v)
		f.venues[x.name] = v
	}
	spaces := []struct {
		name, venue string
		kind        matching.SpaceKind
		capacity    int
	}{
		{"MR Studio", "Mill Road", "studio", 20},
		{"MR Hall", "Mill Road", "hall", 120},
		{"KY Studio", "Kettle's Yard", "studio", 35},
		{"KY Room", "Kettle's Yard", "meeting_room", 12},
		{"Ely Hall", "Ely Cathedral Hall", "hall", 200},
		{"SW Studio", "Sadler's Wells", "studio", 40},
		{"SW Theatre", "Sadler's Wells", "theatre", 1500},
		{"Sydney Studio", "Opera House", "studio", 30},
	}
	for _, x := range spaces {
		s := newSpace(f.venue(x.venue), x.name)
		s.Kind, s.Capacity = x.kind, x.capacity
		createSpace(t, db, &s)
		f.spaces[x.name] = s
	}
	return f
}

func checkIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if got == nil {
		got = []string{}
	}
	if want == nil {
		want = []string{}
	}
	if !equalStrings(got, want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func TestListOrganisations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newListFixture(t, db)
		b := box
		all := f.orgIDs("Cambridge", "Ely", "Corner", "London", "JustNorth", "Sydney")
		tests := []struct {
			name   string
			filter matching.OrganisationFilter
			want   []string
		}{
			{"all", matching.OrganisationFilter{}, all},
			{"within box", matching.OrganisationFilter{Within: &b}, f.orgIDs("Cambridge", "Ely", "Corner")},
			{"type arts", matching.OrganisationFilter{Type: matching.OrgArts}, f.orgIDs("Cambridge", "Corner", "JustNorth")},
			{"type arts within box", matching.OrganisationFilter{Type: matching.OrgArts, Within: &b}, f.orgIDs("Cambridge", "Corner")},
			{"type with nobody", matching.OrganisationFilter{Type: matching.OrgHealth}, nil},
			{"offers dance teaching", matching.OrganisationFilter{Offers: "skill.dance-teaching"}, f.orgIDs("Cambridge", "London")},
			{"offers a hall", matching.OrganisationFilter{Offers: "space.hall"}, f.orgIDs("Ely", "JustNorth")},
			{"needs a hall", matching.OrganisationFilter{Needs: "space.hall"}, f.orgIDs("Sydney")},
			{"needs safeguarding", matching.OrganisationFilter{Needs: "skill.safeguarding"}, f.orgIDs("Ely", "Corner")},
			{"needs what it also offers elsewhere", matching.OrganisationFilter{Needs: "skill.dance-teaching"}, f.orgIDs("Ely")},
			{"offers and needs", matching.OrganisationFilter{Offers: "space.hall", Needs: "skill.safeguarding"}, f.orgIDs("Ely")},
			{"offers something nobody offers", matching.OrganisationFilter{Offers: "skill.bid-writing"}, nil},
			{"offers a category only needed", matching.OrganisationFilter{Offers: "space.dance-studio"}, nil},
			{"limit", matching.OrganisationFilter{Page: matching.Page{Limit: 2}}, all[:2]},
			{"after the last", matching.OrganisationFilter{Page: matching.Page{AfterID: all[len(all)-1]}}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.ListOrganisations(t.Context(), tt.filter)
				if err != nil {
					t.Fatalf("ListOrganisations: %v", err)
				}
				checkIDs(t, "ListOrganisations", orgIDs(got), tt.want)
			})
		}

		// Listed organisations carry their offers and needs.
		got, err := db.ListOrganisations(t.Context(), matching.OrganisationFilter{})
		if err != nil {
			t.Fatalf("ListOrganisations: %v", err)
		}
		for i := range got {
			want := f.orgs[got[i].Name]
			if want.Offers == nil {
				want.Offers = []matching.Offer{}
			}
			if want.Needs == nil {
				want.Needs = []matching.Need{}
			}
			checkOrganisation(t, &got[i], &want)
		}
	})
}

func TestListVenues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newListFixture(t, db)
		b := box
		all := f.venueIDs("Mill Road", "Kettle's Yard", "Ely Cathedral Hall", "Sadler's Wells", "Opera House")
		tests := []struct {
			name   string
			filter matching.VenueFilter
			want   []string
		}{
			{"all", matching.VenueFilter{}, all},
			{"within box", matching.VenueFilter{Within: &b}, f.venueIDs("Mill Road", "Kettle's Yard", "Ely Cathedral Hall")},
			{"organisation", matching.VenueFilter{OrganisationID: f.org("Cambridge")}, f.venueIDs("Mill Road", "Kettle's Yard")},
			{"organisation within box", matching.VenueFilter{OrganisationID: f.org("London"), Within: &b}, nil},
			{"organisation without venues", matching.VenueFilter{OrganisationID: f.org("Corner")}, nil},
			{"limit", matching.VenueFilter{Page: matching.Page{Limit: 3}}, all[:3]},
			{"after the first", matching.VenueFilter{Page: matching.Page{AfterID: all[0]}}, all[1:]},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.ListVenues(t.Context(), tt.filter)
				if err != nil {
					t.Fatalf("ListVenues: %v", err)
				}
				checkIDs(t, "ListVenues", venueIDs(got), tt.want)
				for i := range got {
					want := f.venues[got[i].Name]
					checkVenue(t, &got[i], &want)
				}
			})
		}
	})
}

func TestListSpaces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newListFixture(t, db)
		b := box
		all := f.spaceIDs("MR Studio", "MR Hall", "KY Studio", "KY Room", "Ely Hall", "SW Studio", "SW Theatre", "Sydney Studio")
		tests := []struct {
			name   string
			filter matching.SpaceFilter
			want   []string
		}{
			{"all", matching.SpaceFilter{}, all},
			{"within box", matching.SpaceFilter{Within: &b}, f.spaceIDs("MR Studio", "MR Hall", "KY Studio", "KY Room", "Ely Hall")},
			{"venue", matching.SpaceFilter{VenueID: f.venue("Mill Road")}, f.spaceIDs("MR Studio", "MR Hall")},
			{"organisation", matching.SpaceFilter{OrganisationID: f.org("Cambridge")}, f.spaceIDs("MR Studio", "MR Hall", "KY Studio", "KY Room")},
			{"kind studio", matching.SpaceFilter{Kind: "studio"}, f.spaceIDs("MR Studio", "KY Studio", "SW Studio", "Sydney Studio")},
			{"kind with none", matching.SpaceFilter{Kind: "outdoor"}, nil},
			{"min capacity is inclusive", matching.SpaceFilter{MinCapacity: 40}, f.spaceIDs("MR Hall", "Ely Hall", "SW Studio", "SW Theatre")},
			{"min capacity above all", matching.SpaceFilter{MinCapacity: 1501}, nil},
			{"studios for 30 within box", matching.SpaceFilter{Within: &b, Kind: "studio", MinCapacity: 30}, f.spaceIDs("KY Studio")},
			{"organisation and kind", matching.SpaceFilter{OrganisationID: f.org("London"), Kind: "theatre"}, f.spaceIDs("SW Theatre")},
			{"venue of another organisation", matching.SpaceFilter{VenueID: f.venue("Mill Road"), OrganisationID: f.org("Ely")}, nil},
			{"limit", matching.SpaceFilter{Page: matching.Page{Limit: 5}}, all[:5]},
			{"page in the middle", matching.SpaceFilter{Page: matching.Page{AfterID: all[2], Limit: 3}}, all[3:6]},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.ListSpaces(t.Context(), tt.filter)
				if err != nil {
					t.Fatalf("ListSpaces: %v", err)
				}
				checkIDs(t, "ListSpaces", spaceIDs(got), tt.want)
				for i := range got {
					want := f.spaces[got[i].Name]
					checkSpace(t, &got[i], &want)
				}
			})
		}
	})
}

// walk pages through a list with the given page size and returns every ID
// in the order seen, failing if a page is too long or the walk does not end.
func walk(t *testing.T, limit, total int, list func(p matching.Page) ([]string, error)) []string {
	t.Helper()
	var out []string
	after := ""
	for range total + 2 {
		ids, err := list(matching.Page{AfterID: after, Limit: limit})
		if err != nil {
			t.Fatalf("list after %q: %v", after, err)
		}
		if len(ids) > limit {
			t.Fatalf("page after %q: got %d items, want at most %d", after, len(ids), limit)
		}
		if len(ids) == 0 {
			return out
		}
		out = append(out, ids...)
		after = ids[len(ids)-1]
	}
	t.Fatalf("paging with limit %d did not end after %d pages", limit, total+2)
	return nil
}

func TestPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const n = 11
		var orgs, venues, spaces []string
		for i := range n {
			o := newOrg(fmt.Sprintf("Org %02d", i), 52+float64(i)/100, 0.1)
			o.Offers = []matching.Offer{newOffer(o.ID, "skill.youth-work")}
			createOrg(t, db, &o, "")
			orgs = append(orgs, o.ID)
			v := newVenue(o.ID, fmt.Sprintf("Venue %02d", i), 52, 0.1)
			createVenue(t, db, &v)
			venues = append(venues, v.ID)
			for j := range 2 {
				s := newSpace(v.ID, fmt.Sprintf("Space %02d-%d", i, j))
				createSpace(t, db, &s)
				spaces = append(spaces, s.ID)
			}
		}
		lists := []struct {
			name string
			want []string
			list func(p matching.Page) ([]string, error)
		}{
			{"organisations", sorted(orgs), func(p matching.Page) ([]string, error) {
				l, err := db.ListOrganisations(t.Context(), matching.OrganisationFilter{Page: p})
				return orgIDs(l), err
			}},
			{"organisations offering", sorted(orgs), func(p matching.Page) ([]string, error) {
				l, err := db.ListOrganisations(t.Context(), matching.OrganisationFilter{Page: p, Offers: "skill.youth-work"})
				return orgIDs(l), err
			}},
			{"venues", sorted(venues), func(p matching.Page) ([]string, error) {
				l, err := db.ListVenues(t.Context(), matching.VenueFilter{Page: p})
				return venueIDs(l), err
			}},
			{"spaces", sorted(spaces), func(p matching.Page) ([]string, error) {
				l, err := db.ListSpaces(t.Context(), matching.SpaceFilter{Page: p})
				return spaceIDs(l), err
			}},
			{"spaces of a kind", sorted(spaces), func(p matching.Page) ([]string, error) {
				l, err := db.ListSpaces(t.Context(), matching.SpaceFilter{Page: p, Kind: "studio"})
				return spaceIDs(l), err
			}},
		}
		for _, l := range lists {
			for _, limit := range []int{1, 2, 3, 5, len(l.want), len(l.want) + 1, 1000} {
				t.Run(fmt.Sprintf("%s/limit=%d", l.name, limit), func(t *testing.T) {
					got := walk(t, limit, len(l.want), l.list)
					checkIDs(t, "walked IDs", got, l.want)
				})
			}
			t.Run(l.name+"/after a string that is no ID", func(t *testing.T) {
				// IDs are compared as strings: "8" sorts after every ID
				// starting with 0-7 and before those starting with 8-9, a-f.
				got, err := l.list(matching.Page{AfterID: "8"})
				if err != nil {
					t.Fatalf("list: %v", err)
				}
				var want []string
				for _, id := range l.want {
					if id > "8" {
						want = append(want, id)
					}
				}
				checkIDs(t, "IDs after \"8\"", got, want)
			})
		}
	})
}
