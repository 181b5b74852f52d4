package matching_test

import (
	"flag"
	"math"
	"strconv"
	"testing"
	"time"

	"commonground/matching"
	"commonground/seed"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenWorld builds a small hand-made county for one ranking scenario.
type goldenWorld struct {
	t      *testing.T
	e      *matching.Engine
	l      *matching.Loader
	n      int
	orgs   map[string]string // ID to name
	spaces map[string]string
}

func newGoldenWorld(t *testing.T) *goldenWorld {
	e := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	return &goldenWorld{t: t, e: e, l: e.Load(), orgs: map[string]string{}, spaces: map[string]string{}}
}

func (g *goldenWorld) id() string { g.n++; return uuidN(g.n) }

func (g *goldenWorld) org(name string, edit func(o *matching.Organisation)) string {
	o := matching.Organisation{ID: g.id(), Name: name, Type: matching.OrgCommunity, Location: cambridge}
	if edit != nil {
		edit(&o)
	}
	if err := g.l.Organisation(&o); err != nil {
		g.t.Fatal(err)
	}
	g.orgs[o.ID] = name
	return o.ID
}

// venue adds a venue northKm north and eastKm east of Cambridge.
func (g *goldenWorld) venue(owner, name string, northKm, eastKm float64) *matching.Venue {
	v := &matching.Venue{ID: g.id(), OrganisationID: owner, Name: name, Location: offsetKm(cambridge, northKm, eastKm),
		Timezone: "Europe/London", Accessibility: matching.Accessibility{StepFree: true}}
	if err := v.Validate(); err != nil {
		g.t.Fatal(err)
	}
	if err := g.l.Venue(v); err != nil {
		g.t.Fatal(err)
	}
	return v
}

// The rooms the scenarios start from.
func charterStudio() matching.Space {
	return matching.Space{Kind: "studio", Capacity: 40, FloorAreaM2: 120, CeilingHeightM: 4.5, Floor: matching.FloorSprung,
		Mirrors: true, Barres: true, SoundSystem: true, ChangingRooms: true, ClimateControl: true,
		Prices:       []matching.Price{{Tier: "community", PencePerHour: 2000}, {Tier: "standard", PencePerHour: 3000}},
		OpeningHours: everyDay(8*60, 22*60)}
}

func villageHall() matching.Space {
	return matching.Space{Kind: "hall", Capacity: 80, FloorAreaM2: 150, CeilingHeightM: 5, Floor: matching.FloorWood,
		SoundSystem: true, ProhibitedActivities: []string{"aerial"},
		Prices:       []matching.Price{{Tier: "community", PencePerHour: 1200}, {Tier: "standard", PencePerHour: 1800}},
		OpeningHours: everyDay(9*60, 22*60)}
}

func (g *goldenWorld) space(v *matching.Venue, name string, s matching.Space, edit func(s *matching.Space)) string {
	s.ID, s.VenueID, s.OrganisationID, s.Location, s.Name = g.id(), v.ID, v.OrganisationID, v.Location, name
	if edit != nil {
		edit(&s)
	}
	if err := s.Validate(seed.Taxonomy()); err != nil {
		g.t.Fatalf("%s: %v", name, err)
	}
	if err := g.l.Space(&s); err != nil {
		g.t.Fatal(err)
	}
	g.spaces[s.ID] = name
	return s.ID
}

func (g *goldenWorld) booked(spaceID string, periods ...matching.Session) {
	if err := g.l.Booked(spaceID, periods); err != nil {
		g.t.Fatal(err)
	}
}

// Golden output: what a person reviewing a ranking wants to see.
type goldenResult struct {
	Scenario     string         `json:"scenario"`
	About        string         `json:"about"`
	Request      goldenRequest  `json:"request"`
	TotalMatches int            `json:"total_matches"`
	Matches      []goldenMatch  `json:"matches"`
	Excluded     map[string]int `json:"excluded"`
}

type goldenRequest struct {
	RadiusKm           float64  `json:"radius_km"`
	GroupSize          int      `json:"group_size"`
	Activity           string   `json:"activity"`
	Tier               string   `json:"tier,omitempty"`
	MaxPencePerHour    int      `json:"max_pence_per_hour,omitempty"`
	Requester          string   `json:"requester,omitempty"`
	RequireAllSessions bool     `json:"require_all_sessions"`
	Sessions           []string `json:"sessions"`
}

type goldenMatch struct {
	Rank       int              `json:"rank"`
	Space      string           `json:"space"`
	Venue      string           `json:"venue"`
	Owner      string           `json:"owner"`
	SpaceID    string           `json:"space_id"`
	DistanceKm float64          `json:"distance_km"`
	Score      float64          `json:"score"`
	FitToDance int              `json:"fit_to_dance"`
	Price      *int             `json:"price_pence_per_hour"`
	Sessions   string           `json:"sessions_available"`
	Conflicts  []goldenConflict `json:"conflicts"`
	Reasons    []goldenReason   `json:"reasons"`
}

type goldenConflict struct {
	Start  string `json:"start"`
	End    string `json:"end"`
	Reason string `json:"reason"`
}

type goldenReason struct {
	Factor       string  `json:"factor"`
	Value        float64 `json:"value"`
	Contribution float64 `json:"contribution"`
	Detail       string  `json:"detail"`
}

func localRFC3339(t time.Time) string { return t.In(london).Format(time.RFC3339) }

func (g *goldenWorld) render(name, about string, req *matching.VenueRequest, res *matching.VenueResult) goldenResult {
	out := goldenResult{Scenario: name, About: about, TotalMatches: res.TotalMatches, Matches: []goldenMatch{}, Excluded: res.Excluded,
		Request: goldenRequest{RadiusKm: req.RadiusKm, GroupSize: req.GroupSize, Activity: req.Activity, Tier: string(req.Tier),
			MaxPencePerHour: req.MaxPencePerHour, Requester: g.orgs[req.OrganisationID], RequireAllSessions: req.RequireAllSessions}}
	for _, s := range req.Sessions {
		out.Request.Sessions = append(out.Request.Sessions, localRFC3339(s.Start)+" / "+localRFC3339(s.End))
	}
	for i, m := range res.Matches {
		gm := goldenMatch{Rank: i + 1, Space: m.SpaceName, Venue: m.VenueName, Owner: g.orgs[m.OrganisationID], SpaceID: m.SpaceID,
			DistanceKm: m.DistanceKm, Score: round4(m.Score), FitToDance: m.FitToDance, Price: m.PricePencePerHour,
			Sessions: itoa(m.SessionsAvailable) + " of " + itoa(m.SessionsRequested), Conflicts: []goldenConflict{}}
		for _, c := range m.Conflicts {
			gm.Conflicts = append(gm.Conflicts, goldenConflict{localRFC3339(c.Start), localRFC3339(c.End), c.Reason})
		}
		for _, r := range m.Reasons {
			gm.Reasons = append(gm.Reasons, goldenReason{r.Factor, round4(r.Value), round4(r.Contribution), r.Detail})
		}
		out.Matches = append(out.Matches, gm)
	}
	return out
}

// round4 keeps four places, so the golden files do not depend on the last
// bits of floating point.
func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

func itoa(n int) string { return strconv.Itoa(n) }

// goldenScenario builds its county on g and returns its request.
type goldenScenario struct {
	name, about string
	build       func(g *goldenWorld) *matching.VenueRequest
}

// thursday is one Thursday evening class in January 2027.
func thursday() []matching.Session {
	return []matching.Session{session(localTime(2027, 1, 14, 18, 30), 90*time.Minute)}
}

var goldenScenarios = []goldenScenario{
	{
		name: "far_studio_vs_near_hall",
		about: "A charter studio (5 stars) 14 km away against a plain village hall (1 star) 1 km away and a " +
			"semi-sprung community studio 7 km away, for 20 contemporary dancers within 15 km.",
		build: func(g *goldenWorld) *matching.VenueRequest {
			trust := g.org("Fen Edge Trust", nil)
			g.space(g.venue(trust, "Swavesey Dance Centre", 14, 0), "Studio One", charterStudio(), nil)
			g.space(g.venue(trust, "Coton Village Hall", 0, -1), "Main Hall", villageHall(), nil)
			g.space(g.venue(trust, "Histon Community Centre", 7, 0), "Studio", charterStudio(), func(s *matching.Space) {
				s.Floor, s.FloorAreaM2, s.Barres, s.ChangingRooms = matching.FloorSemiSprung, 80, false, false
				s.Prices = []matching.Price{{Tier: "standard", PencePerHour: 2200}}
			})
			// Beyond the radius but within twice it: counted too_far.
			g.space(g.venue(trust, "Ely Dance House", 24, 4), "Studio", charterStudio(), nil)
			return &matching.VenueRequest{Near: cambridge, RadiusKm: 15, GroupSize: 20, Activity: "contemporary",
				Sessions: thursday(), RequireAllSessions: true}
		},
	},
	{
		name: "cheap_hall_vs_better_studio_tight_budget",
		about: "A £25 an hour budget: a £15 hall, a £24 sprung studio just within it, a £30 studio over it and a " +
			"room with no standard price, for 16 ballet dancers.",
		build: func(g *goldenWorld) *matching.VenueRequest {
			trust := g.org("Cam Valley Trust", nil)
			g.space(g.venue(trust, "Trumpington Pavilion", -3, 0), "Hall", villageHall(), func(s *matching.Space) {
				s.Prices = []matching.Price{{Tier: "standard", PencePerHour: 1500}}
			})
			g.space(g.venue(trust, "Cherry Hinton Studios", -1, 3), "Studio A", charterStudio(), func(s *matching.Space) {
				s.Prices = []matching.Price{{Tier: "standard", PencePerHour: 2400}}
			})
			g.space(g.venue(trust, "Mill Road Studios", 0, 2), "Studio B", charterStudio(), func(s *matching.Space) {
				s.Prices = []matching.Price{{Tier: "standard", PencePerHour: 3000}}
			})
			g.space(g.venue(trust, "Chesterton Centre", 2, 0), "Community Room", villageHall(), func(s *matching.Space) {
				s.Prices = []matching.Price{{Tier: "community", PencePerHour: 1000}}
			})
			return &matching.VenueRequest{Near: cambridge, RadiusKm: 10, GroupSize: 16, Activity: "ballet",
				Sessions: thursday(), MaxPencePerHour: 2500, RequireAllSessions: true}
		},
	},
	{
		name: "partly_free_without_require_all",
		about: "Six Wednesday evenings without require_all_sessions: a charter studio booked for three of them, " +
			"a hall free for all six, a hall closed for two, and a studio booked for all six.",
		build: func(g *goldenWorld) *matching.VenueRequest {
			trust := g.org("Granta Arts", nil)
			sessions := mustExpand(matching.Weekly{Day: "wed", Start: 19 * 60, End: 21 * 60,
				From: time.Date(2027, 1, 6, 0, 0, 0, 0, time.UTC), Count: 6, Timezone: "Europe/London"})
			busy := g.space(g.venue(trust, "Arbury Dance Studios", 2, 1), "Studio 1", charterStudio(), nil)
			g.booked(busy, sessions[0], sessions[2], sessions[4])
			g.space(g.venue(trust, "Girton Village Hall", 3, -2), "Main Hall", villageHall(), nil)
			g.space(g.venue(trust, "Milton Hall", 4, 1), "Hall", villageHall(), func(s *matching.Space) {
				s.Floor = matching.FloorSemiSprung
				s.Closures = []matching.Closure{{Start: localTime(2027, 1, 18, 0, 0), End: localTime(2027, 1, 31, 0, 0), Reason: "floor repairs"}}
			})
			full := g.space(g.venue(trust, "Kings Hedges Studio", 1, 0), "Studio", charterStudio(), nil)
			g.booked(full, sessions...)
			return &matching.VenueRequest{Near: cambridge, RadiusKm: 8, GroupSize: 12, Activity: "jazz",
				Sessions: sessions, RequireAllSessions: false}
		},
	},
	{
		name: "values_conflict_hides_best_fit",
		about: "An animal-welfare dance company that pays artists fairly: the best studio belongs to a lab that " +
			"tests on animals, the next to a company with unpaid internships; a plainer studio matches.",
		build: func(g *goldenWorld) *matching.VenueRequest {
			dance := g.org("Fen Dance Company", func(o *matching.Organisation) {
				o.Type, o.Values, o.Exclusions = matching.OrgArts, []string{"animal-welfare", "fair-pay-for-artists"}, []string{"arms-industry-links"}
			})
			lab := g.org("Granta Labs", func(o *matching.Organisation) { o.Type, o.Practices = matching.OrgBusiness, []string{"animal-testing"} })
			agency := g.org("Stagecraft Agency", func(o *matching.Organisation) {
				o.Type, o.Practices = matching.OrgBusiness, []string{"unpaid-internships"}
			})
			school := g.org("Impington Village College", func(o *matching.Organisation) { o.Type = matching.OrgSchool })
			g.space(g.venue(lab, "Granta Park Wellness Centre", 1, 0), "Studio", charterStudio(), nil)
			g.space(g.venue(agency, "Stagecraft House", 1.5, 0), "Rehearsal Studio", charterStudio(), nil)
			g.space(g.venue(school, "Impington Village College", 4, 0), "Drama Studio", charterStudio(), func(s *matching.Space) {
				s.Floor, s.ChangingRooms, s.ClimateControl = matching.FloorSemiSprung, false, false
			})
			return &matching.VenueRequest{Near: cambridge, RadiusKm: 10, GroupSize: 18, Activity: "contemporary",
				Sessions: thursday(), OrganisationID: dance, RequireAllSessions: true}
		},
	},
	{
		name: "weekly_across_clock_change",
		about: "Tuesdays 18:00-19:00 for six weeks from 9 March 2027 (BST starts on 28 March): a hall that closes " +
			"at 19:00 takes every session at the same local time; a room that closes at 18:30 takes none; " +
			"a studio closed on 30 March takes five.",
		build: func(g *goldenWorld) *matching.VenueRequest {
			trust := g.org("St Ives Town Council", func(o *matching.Organisation) { o.Type = matching.OrgCouncil })
			tuesday := func(opens, closes matching.ClockTime) []matching.OpeningHours {
				return []matching.OpeningHours{{Day: "tue", Opens: opens, Closes: closes}}
			}
			g.space(g.venue(trust, "Corn Exchange", 0, 1), "Assembly Room", villageHall(), func(s *matching.Space) {
				s.OpeningHours = tuesday(9*60, 19*60)
			})
			g.space(g.venue(trust, "Library", 0, 0.5), "Meeting Room", villageHall(), func(s *matching.Space) {
				s.OpeningHours = tuesday(9*60, 18*60+30)
			})
			g.space(g.venue(trust, "Riverside Studios", 1, 1), "Studio", charterStudio(), func(s *matching.Space) {
				s.OpeningHours = tuesday(17*60, 22*60)
				s.Closures = []matching.Closure{{Start: localTime(2027, 3, 30, 0, 0), End: localTime(2027, 3, 31, 0, 0), Reason: "exams"}}
			})
			sessions := mustExpand(matching.Weekly{Day: "tue", Start: 18 * 60, End: 19 * 60,
				From: time.Date(2027, 3, 9, 0, 0, 0, 0, time.UTC), Count: 6, Timezone: "Europe/London"})
			return &matching.VenueRequest{Near: cambridge, RadiusKm: 5, GroupSize: 10, Activity: "folk",
				Sessions: sessions, RequireAllSessions: false}
		},
	},
}

func TestMatchVenuesGolden(t *testing.T) {
	for _, sc := range goldenScenarios {
		t.Run(sc.name, func(t *testing.T) {
			g := newGoldenWorld(t)
			req := sc.build(g)
			g.l.Commit(1)
			res := mustMatch(t, g.e, req)
			checkGolden(t, sc.name, g.render(sc.name, sc.about, req, res))
		})
	}
}
