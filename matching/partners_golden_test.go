package matching_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"commonground/matching"
)

// Golden files for partner and consortium ranking: small hand-made
// counties whose answers a person reviews by eye. Run with -update (the
// flag of engine_golden_test.go) to rewrite them after a meant change.

type goldenPartnerResult struct {
	Scenario     string               `json:"scenario"`
	About        string               `json:"about"`
	Requester    string               `json:"requester"`
	RadiusKm     float64              `json:"radius_km"`
	Limit        int                  `json:"limit,omitempty"`
	TotalMatches int                  `json:"total_matches"`
	Matches      []goldenPartnerMatch `json:"matches"`
	Excluded     map[string]int       `json:"excluded"`
}

type goldenPartnerMatch struct {
	Rank           int            `json:"rank"`
	Name           string         `json:"name"`
	Type           string         `json:"type"`
	OrganisationID string         `json:"organisation_id"`
	DistanceKm     float64        `json:"distance_km"`
	Score          float64        `json:"score"`
	Tier           string         `json:"tier"`
	TheyMeet       []string       `json:"they_meet"`
	YouMeet        []string       `json:"you_meet"`
	SharedValues   []string       `json:"shared_values"`
	Reasons        []goldenReason `json:"reasons"`
}

func goldenPairs(ps []matching.Pair) []string {
	out := []string{}
	for _, p := range ps {
		s := p.Need + " ← " + p.Offer
		if p.ViaSpaceName != "" {
			s += " (" + p.ViaSpaceName + ", " + p.ViaSpaceID + ")"
		}
		out = append(out, s)
	}
	return out
}

func (g *goldenWorld) renderPartners(name, about string, req matching.PartnerRequest, res *matching.PartnerResult) goldenPartnerResult {
	out := goldenPartnerResult{Scenario: name, About: about, Requester: g.orgs[req.OrganisationID], RadiusKm: req.RadiusKm,
		Limit: req.Limit, TotalMatches: res.TotalMatches, Matches: []goldenPartnerMatch{}, Excluded: map[string]int{}}
	for _, k := range matching.PartnerExclusionOrder {
		out.Excluded[k] = res.Excluded[k]
	}
	for i, m := range res.Matches {
		gm := goldenPartnerMatch{Rank: i + 1, Name: m.Name, Type: string(m.Type), OrganisationID: m.OrganisationID,
			DistanceKm: m.DistanceKm, Score: round4(m.Score), Tier: m.Tier(), TheyMeet: goldenPairs(m.TheyMeet),
			YouMeet: goldenPairs(m.YouMeet), SharedValues: m.SharedValues}
		for _, r := range m.Reasons {
			gm.Reasons = append(gm.Reasons, goldenReason{r.Factor, round4(r.Value), round4(r.Contribution), r.Detail})
		}
		out.Matches = append(out.Matches, gm)
	}
	return out
}

type goldenConsortiumResult struct {
	Scenario   string             `json:"scenario"`
	About      string             `json:"about"`
	Request    goldenConsortiumIn `json:"request"`
	Candidates int                `json:"candidates"`
	Exhaustive bool               `json:"exhaustive"`
	Missing    []string           `json:"missing"`
	Consortia  []goldenTeam       `json:"consortia"`
}

type goldenConsortiumIn struct {
	Requirements []string `json:"requirements"`
	RadiusKm     float64  `json:"radius_km"`
	Lead         string   `json:"lead,omitempty"`
	MaxMembers   int      `json:"max_members"`
	Limit        int      `json:"limit"`
}

type goldenTeam struct {
	Rank     int                 `json:"rank"`
	Members  []string            `json:"members"`
	Covers   map[string][]string `json:"covers"`
	Missing  []string            `json:"missing"`
	Complete bool                `json:"complete"`
	SpreadKm float64             `json:"spread_km"`
	Score    float64             `json:"score"`
	Reasons  []goldenReason      `json:"reasons"`
}

func (g *goldenWorld) renderConsortia(name, about string, req matching.ConsortiumRequest, res *matching.ConsortiumResult) goldenConsortiumResult {
	out := goldenConsortiumResult{Scenario: name, About: about, Candidates: res.Candidates, Exhaustive: res.Exhaustive,
		Missing: res.Missing, Consortia: []goldenTeam{},
		Request: goldenConsortiumIn{Requirements: req.Requirements, RadiusKm: req.RadiusKm, Lead: g.orgs[req.LeadOrganisationID],
			MaxMembers: req.MaxMembers, Limit: req.Limit}}
	for i, k := range res.Consortia {
		t := goldenTeam{Rank: i + 1, Covers: map[string][]string{}, Missing: k.Missing, Complete: k.Complete, SpreadKm: k.SpreadKm,
			Score: round4(k.Score)}
		for _, m := range k.Members {
			name := g.orgs[m.OrganisationID]
			if m.Lead {
				name += " (lead)"
			}
			t.Members = append(t.Members, name)
		}
		for slug, ids := range k.Covers {
			for _, id := range ids {
				t.Covers[slug] = append(t.Covers[slug], g.orgs[id])
			}
		}
		for _, r := range k.Reasons {
			t.Reasons = append(t.Reasons, goldenReason{r.Factor, round4(r.Value), round4(r.Contribution), r.Detail})
		}
		out.Consortia = append(out.Consortia, t)
	}
	return out
}

// Helpers to describe organisations in the scenarios.

func gpOffers(items ...any) []matching.Offer {
	var out []matching.Offer
	for i := 0; i+1 < len(items); i += 2 {
		out = append(out, matching.Offer{Category: items[i].(string), HoursPerMonth: items[i+1].(int)})
	}
	return out
}

func gpNeeds(items ...any) []matching.Need {
	var out []matching.Need
	for i := 0; i+1 < len(items); i += 2 {
		out = append(out, matching.Need{Category: items[i].(string), HoursPerMonth: items[i+1].(int)})
	}
	return out
}

// gpProfile sets an organisation's type, base (km north and east of
// Cambridge), service radius, offers and needs.
func gpProfile(t matching.OrgType, northKm, eastKm, radiusKm float64, of []matching.Offer, nd []matching.Need) func(o *matching.Organisation) {
	return func(o *matching.Organisation) {
		o.Type, o.Location, o.ServiceRadiusKm, o.Offers, o.Needs = t, offsetKm(cambridge, northKm, eastKm), radiusKm, of, nd
	}
}

// gpAnd runs several edits in turn.
func gpAnd(edits ...func(o *matching.Organisation)) func(o *matching.Organisation) {
	return func(o *matching.Organisation) {
		for _, e := range edits {
			e(o)
		}
	}
}

func gpValues(v ...string) func(o *matching.Organisation) {
	return func(o *matching.Organisation) { o.Values = v }
}

func gpPractices(p ...string) func(o *matching.Organisation) {
	return func(o *matching.Organisation) { o.Practices = p }
}

func gpExclusions(x ...string) func(o *matching.Organisation) {
	return func(o *matching.Organisation) { o.Exclusions = x }
}

// hallFitForDance is a community hall with a sprung floor: three stars, so
// it offers a dance studio as well as a hall.
func hallFitForDance() matching.Space {
	s := villageHall()
	s.Floor, s.ClimateControl = matching.FloorSprung, false
	return s
}

type goldenPartnerScenario struct {
	name, about string
	build       func(g *goldenWorld) matching.PartnerRequest
}

var goldenPartnerScenarios = []goldenPartnerScenario{
	{
		name: "reciprocal_beats_one_way",
		about: "A youth service with a sprung-floor hall needs dance teaching. A dance company 4 km away teaches dance and " +
			"needs a studio: reciprocal. A dance teacher 1 km away, sharing two values, teaches but needs nothing the youth " +
			"service has: one-way, with a higher score, and still ranked below.",
		build: func(g *goldenWorld) matching.PartnerRequest {
			youth := g.org("Arbury Youth Service", gpAnd(gpProfile(matching.OrgYouthService, 0, 0, 10,
				gpOffers("skill.youth-work", 8), gpNeeds("skill.dance-teaching", 8)), gpValues("youth-voice", "inclusion")))
			g.space(g.venue(youth, "Arbury Community Centre", 0, 0.2), "Main Hall", hallFitForDance(), nil)
			g.org("Fen Edge Dance", gpAnd(gpProfile(matching.OrgArts, 4, 0, 15,
				gpOffers("skill.dance-teaching", 12), gpNeeds("space.dance-studio", 6)), gpValues("fair-pay-for-artists")))
			g.org("Chesterton Dance Teacher", gpAnd(gpProfile(matching.OrgArts, 1, 0, 10,
				gpOffers("skill.dance-teaching", 16), gpNeeds("skill.marketing", 4)), gpValues("youth-voice", "inclusion")))
			// Nothing to give or take either way.
			g.org("Cambridge Bookkeepers", gpProfile(matching.OrgBusiness, 2, 2, 10, gpOffers("skill.finance", 10), gpNeeds("skill.marketing", 2)))
			return matching.PartnerRequest{OrganisationID: youth, RadiusKm: 10}
		},
	},
	{
		name: "one_way_both_directions",
		about: "A youth service needs funding and a rehearsal room. A fundraising consultancy meets the funding need through " +
			"bid writing (they meet, one-way); a village hall trust needs youth work, which the youth service offers (you " +
			"meet, one-way); a theatre owner meets the rehearsal need with its theatre room and nothing else.",
		build: func(g *goldenWorld) matching.PartnerRequest {
			youth := g.org("Kings Hedges Youth Project", gpProfile(matching.OrgYouthService, 0, 0, 8,
				gpOffers("skill.youth-work", 10), gpNeeds("resource.funding", 0, "space.rehearsal", 6)))
			g.org("Granta Bids", gpProfile(matching.OrgBusiness, 2, 0, 30, gpOffers("skill.bid-writing", 6), gpNeeds("skill.marketing", 4)))
			g.org("Milton Village Hall Trust", gpProfile(matching.OrgCommunity, 3, 1, 5, gpOffers("skill.volunteer-management", 4),
				gpNeeds("skill.youth-work", 8)))
			theatre := g.org("Mumford Theatre Company", gpProfile(matching.OrgArts, -1, 1, 10, nil, gpNeeds("resource.lighting-equipment", 2)))
			g.space(g.venue(theatre, "Mumford Theatre", -1, 1), "Auditorium", villageHall(), func(s *matching.Space) { s.Kind = "theatre" })
			return matching.PartnerRequest{OrganisationID: youth, RadiusKm: 8}
		},
	},
	{
		name: "values_conflict_hides_perfect_fit",
		about: "An animal-welfare dance company that takes alcohol sponsorship needs a studio and youth work. Two perfect, " +
			"reciprocal partners next door are excluded: a lab that tests on animals, and a youth charity that will not work " +
			"with alcohol sponsors. A plainer partner 6 km away matches.",
		build: func(g *goldenWorld) matching.PartnerRequest {
			dance := g.org("Fen Dance Company", gpAnd(gpProfile(matching.OrgArts, 0, 0, 10,
				gpOffers("skill.dance-teaching", 10), gpNeeds("space.dance-studio", 8, "skill.youth-work", 4)),
				gpValues("animal-welfare"), gpPractices("alcohol-sponsorship")))
			lab := g.org("Granta Labs Wellbeing Club", gpAnd(gpProfile(matching.OrgBusiness, 0.3, 0, 10,
				gpOffers("skill.youth-work", 20), gpNeeds("skill.dance-teaching", 6)), gpPractices("animal-testing")))
			g.space(g.venue(lab, "Granta Labs Studio", 0.3, 0), "Studio", charterStudio(), nil)
			charity := g.org("Sober Futures Youth Trust", gpAnd(gpProfile(matching.OrgYouthService, 0, 0.4, 10,
				gpOffers("skill.youth-work", 20), gpNeeds("skill.dance-teaching", 6)), gpExclusions("alcohol-sponsorship")))
			g.space(g.venue(charity, "Sober Futures Centre", 0, 0.4), "Studio", charterStudio(), nil)
			g.org("Histon Youth Club", gpProfile(matching.OrgYouthService, 6, 0, 10, gpOffers("skill.youth-work", 4), gpNeeds("skill.music", 2)))
			return matching.PartnerRequest{OrganisationID: dance, RadiusKm: 10}
		},
	},
	{
		name: "perfect_partner_too_far",
		about: "Within 10 km: a perfect reciprocal partner 15 km away is counted too_far (within twice the radius), another " +
			"30 km away is not counted at all, and a modest one-way partner 5 km away is the only match.",
		build: func(g *goldenWorld) matching.PartnerRequest {
			dance := g.org("Cambourne Dance Collective", gpProfile(matching.OrgArts, 0, 0, 10,
				gpOffers("skill.dance-teaching", 10), gpNeeds("space.hall", 8, "skill.safeguarding", 2)))
			for _, far := range []struct {
				name  string
				north float64
			}{{"St Ives Youth Hub", 15}, {"Peterborough Youth Hub", 30}} {
				hub := g.org(far.name, gpProfile(matching.OrgYouthService, far.north, 0, 40,
					gpOffers("skill.safeguarding", 10), gpNeeds("skill.dance-teaching", 8)))
				g.space(g.venue(hub, far.name+" Hall", far.north, 0), "Hall", villageHall(), nil)
			}
			g.org("Coton Safeguarding Trainer", gpProfile(matching.OrgOther, 0, -5, 10, gpOffers("skill.safeguarding", 1), nil))
			return matching.PartnerRequest{OrganisationID: dance, RadiusKm: 10}
		},
	},
	{
		name: "cross_sector_vs_same_sector_tie",
		about: "A school needs dance teaching. Three partners identical but for their type, at the same spot 2 km away: an arts " +
			"company (cross-sector) ranks above a youth service (same sector as a school); two identical arts companies tie " +
			"and are ordered by ID.",
		build: func(g *goldenWorld) matching.PartnerRequest {
			school := g.org("Chesterton Community College", gpProfile(matching.OrgSchool, 0, 0, 10, nil, gpNeeds("skill.dance-teaching", 8)))
			same := gpProfile(matching.OrgYouthService, 2, 0, 10, gpOffers("skill.dance-teaching", 8), nil)
			g.org("Chesterton Youth Dance", same)
			g.org("Chesterton Dance Company", gpAnd(same, func(o *matching.Organisation) { o.Type = matching.OrgArts }))
			g.org("Chesterton Dance Company Two", gpAnd(same, func(o *matching.Organisation) { o.Type = matching.OrgArts }))
			return matching.PartnerRequest{OrganisationID: school, RadiusKm: 10}
		},
	},
	{
		name: "trust_signal_ranks_proven_partner",
		about: "A school needs dance teaching. Four dance companies identical but for their record, at the same spot 2 km " +
			"away: one with five completed partnerships whose health stayed good (full trust, the same as three), one " +
			"with two (two thirds), one with one (a third) and a newcomer with none. They rank in that order, but for " +
			"a newcomer 1 km closer: distance halves its factor every 2.5 km here, so it ranks above the partner with " +
			"one and below the partner with two.",
		build: func(g *goldenWorld) matching.PartnerRequest {
			school := g.org("Arbury Primary School", gpProfile(matching.OrgSchool, 0, 0, 10, nil, gpNeeds("skill.dance-teaching", 8)))
			dance := func(north float64, trusted int) func(o *matching.Organisation) {
				return gpAnd(gpProfile(matching.OrgArts, north, 0, 10, gpOffers("skill.dance-teaching", 8), nil),
					gpTrusted(trusted))
			}
			g.org("Newcomer Dance", dance(2, 0))
			g.org("One Season Dance", dance(2, 1))
			g.org("Two Seasons Dance", dance(2, 2))
			g.org("Veteran Dance", dance(2, 5))
			g.org("Nearby Newcomer Dance", dance(1, 0))
			return matching.PartnerRequest{OrganisationID: school, RadiusKm: 10}
		},
	},
	{
		name: "distance_decays_within_radius",
		about: "A dance company needs youth work and teaches dance. A school 24.8 km away and a youth project 1.2 km away " +
			"meet each other's needs alike; the school shares both the company's values and has two completed " +
			"partnerships, the youth project neither. The distance factor halves every quarter of the 25 km radius, so " +
			"the youth project next door ranks first; a third partner 12 km away with the school's record ranks between.",
		build: func(g *goldenWorld) matching.PartnerRequest {
			company := g.org("Ely Dance Company", gpAnd(gpProfile(matching.OrgArts, 0, 0, 25,
				gpOffers("skill.dance-teaching", 8), gpNeeds("skill.youth-work", 4)), gpValues("inclusion", "youth-voice")))
			partner := func(t matching.OrgType, north float64, values []string, trusted int) func(o *matching.Organisation) {
				return gpAnd(gpProfile(t, north, 0, 10, gpOffers("skill.youth-work", 4), gpNeeds("skill.dance-teaching", 4)),
					gpValues(values...), gpTrusted(trusted))
			}
			g.org("Fenland Community School", partner(matching.OrgSchool, 24.8, []string{"inclusion", "youth-voice"}, 2))
			g.org("Ely Youth Project", partner(matching.OrgYouthService, 1.2, nil, 0))
			g.org("Stretham Youth Club", partner(matching.OrgYouthService, 12, []string{"inclusion", "youth-voice"}, 2))
			return matching.PartnerRequest{OrganisationID: company, RadiusKm: 25}
		},
	},
}

// gpTrusted sets how many completed partnerships with good health an
// organisation has.
func gpTrusted(n int) func(o *matching.Organisation) {
	return func(o *matching.Organisation) { o.TrustedPartnerships = n }
}

type goldenConsortiumScenario struct {
	name, about string
	build       func(g *goldenWorld) matching.ConsortiumRequest
}

var goldenConsortiumScenarios = []goldenConsortiumScenario{
	{
		name: "consortium_youth_dance_bid",
		about: "A bid for dance teaching, youth work, safeguarding and a hall, led by a dance company that takes alcohol " +
			"sponsorship, at most three members. A youth service with a hall covers three requirements; a youth trust " +
			"that covers all three without a hall will not work with alcohol sponsors; a hall trust and a safeguarding " +
			"trainer cover one each.",
		build: func(g *goldenWorld) matching.ConsortiumRequest {
			lead := g.org("Fen Edge Dance", gpAnd(gpProfile(matching.OrgArts, 0, 0, 15, gpOffers("skill.dance-teaching", 20), nil),
				gpPractices("alcohol-sponsorship"), gpValues("inclusion")))
			youth := g.org("Arbury Youth Service", gpAnd(gpProfile(matching.OrgYouthService, 2, 0, 10,
				gpOffers("skill.youth-work", 20, "skill.safeguarding", 10), nil), gpValues("inclusion")))
			g.space(g.venue(youth, "Arbury Community Centre", 2, 0), "Main Hall", villageHall(), nil)
			g.org("Sober Futures Youth Trust", gpAnd(gpProfile(matching.OrgYouthService, 1, 0, 10,
				gpOffers("skill.youth-work", 40, "skill.safeguarding", 40), nil), gpExclusions("alcohol-sponsorship")))
			hall := g.org("Girton Village Hall Trust", gpProfile(matching.OrgCommunity, 3, -2, 5, nil, nil))
			g.space(g.venue(hall, "Girton Village Hall", 3, -2), "Main Hall", villageHall(), nil)
			g.org("Safe Hands Training", gpAnd(gpProfile(matching.OrgBusiness, -1, 1, 20, gpOffers("skill.safeguarding", 40), nil), gpValues("inclusion")))
			g.org("Youth Work Associates", gpProfile(matching.OrgOther, -2, -1, 20, gpOffers("skill.youth-work", 40), nil))
			return matching.ConsortiumRequest{Requirements: []string{"skill.dance-teaching", "skill.youth-work", "skill.safeguarding", "space.hall"},
				Near: cambridge, RadiusKm: 10, LeadOrganisationID: lead, MaxMembers: 3, Limit: 5}
		},
	},
	{
		name: "smaller_team_ranks_above_higher_scores",
		about: "A bid for dance teaching, youth work and safeguarding, no lead. A dance company 9 km north and a youth " +
			"charity 9 km south, sharing no value and offering few hours, cover it as a pair; three neighbours in the " +
			"centre, sharing a value and offering many hours, cover it as a trio with a far higher score (the charity " +
			"with the central dancers is a pair too). Smaller teams rank first among complete ones, so both pairs rank " +
			"above the trio, and each team's first reason says so.",
		build: func(g *goldenWorld) matching.ConsortiumRequest {
			g.org("North Fen Dance", gpProfile(matching.OrgArts, 9, 0, 20, gpOffers("skill.dance-teaching", 2), nil))
			g.org("South Fen Youth Charity", gpAnd(gpProfile(matching.OrgYouthService, -9, 0, 20,
				gpOffers("skill.youth-work", 2, "skill.safeguarding", 2), nil), gpValues("environmental-sustainability")))
			for _, o := range []struct{ name, offer string }{{"Central Dance", "skill.dance-teaching"},
				{"Central Youth Club", "skill.youth-work"}, {"Central Safeguarding", "skill.safeguarding"}} {
				g.org(o.name, gpAnd(gpProfile(matching.OrgCommunity, 0.5, 0, 10, gpOffers(o.offer, 40), nil), gpValues("inclusion")))
			}
			return matching.ConsortiumRequest{Requirements: []string{"skill.dance-teaching", "skill.youth-work", "skill.safeguarding"},
				Near: cambridge, RadiusKm: 10, MaxMembers: 3, Limit: 3}
		},
	},
}

// checkGolden compares v, as indented JSON, with testdata/golden/name.json,
// or rewrites that file with -update.
func checkGolden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./matching -run Golden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; if the change is meant, review it and run with -update.\ngot:\n%s", path, got)
	}
}

func TestMatchPartnersGolden(t *testing.T) {
	for _, sc := range goldenPartnerScenarios {
		t.Run(sc.name, func(t *testing.T) {
			g := newGoldenWorld(t)
			req := sc.build(g)
			g.l.Commit(1)
			res, err := g.e.MatchPartners(req)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "partners-"+sc.name, g.renderPartners(sc.name, sc.about, req, res))
		})
	}
}

func TestBuildConsortiaGolden(t *testing.T) {
	for _, sc := range goldenConsortiumScenarios {
		t.Run(sc.name, func(t *testing.T) {
			g := newGoldenWorld(t)
			req := sc.build(g)
			g.l.Commit(1)
			res, err := g.e.BuildConsortia(req)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "partners-"+sc.name, g.renderConsortia(sc.name, sc.about, req, res))
		})
	}
}
