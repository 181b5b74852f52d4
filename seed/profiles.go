package seed

import "commonground/matching"

// slugChance is a taxonomy slug drawn with probability p.
type slugChance struct {
	slug string
	p    float64
}

// nameTpl is a name pattern for one kind of organisation. In the pattern
// {P} is the place and {A} the wider area ("Fenland", "Ouse Valley").
// Values and practices always come with the name (an animal rescue holds
// animal-welfare); venue is the kind of building it owns, if any.
type nameTpl struct {
	t         string
	values    []string
	practices []string
	venue     venueKind
	venueP    float64 // chance of owning the building
	minPop    int     // only in places at least this big
}

// profile describes what an organisation of one type is like.
type profile struct {
	names      []nameTpl
	blurbs     []string // descriptions; {N} is the name, {P} the place
	offers     []slugChance
	needs      []slugChance
	values     []slugChance
	practices  []slugChance
	exclusions []slugChance
	radiusKm   [2]int
}

// profiles returns the organisation profiles by type. It builds fresh
// values on every call; generators keep their own copy.
func profiles() map[matching.OrgType]*profile {
	return map[matching.OrgType]*profile{
		matching.OrgArts: {
			names: []nameTpl{
				{t: "{A} Contemporary Dance"}, {t: "{P} Dance Collective"}, {t: "{A} Youth Dance Company"},
				{t: "{P} School of Ballet"}, {t: "{A} Dance Theatre"}, {t: "{P} Tap and Jazz"},
				{t: "{P} Hip-Hop Academy"}, {t: "{A} Folk Dance Society"}, {t: "{P} Ballroom and Latin"},
				{t: "{A} Aerial Arts"}, {t: "{P} Musical Theatre Company"}, {t: "{A} Inclusive Dance"},
				{t: "{P} Morris"}, {t: "{A} Bollywood Dance"}, {t: "{P} Dance Project", values: []string{"youth-voice"}},
				{t: "{P} Arts Centre", venue: vArtsCentre, venueP: 1, minPop: 8000},
				{t: "{P} Playhouse Trust", venue: vArtsCentre, venueP: 1, minPop: 5000},
				{t: "{A} Dance Studios", venue: vStudio, venueP: 0.9},
			},
			blurbs: []string{
				"{N} runs dance classes, workshops and performances in and around {P}.",
				"{N} is a dance company making new work with local people in {P} and beyond.",
				"{N} brings dance to schools, halls and festivals across the county from its base in {P}.",
			},
			offers: []slugChance{{"skill.dance-teaching", 0.9}, {"skill.choreography", 0.6}, {"programme.youth-activities", 0.35},
				{"programme.older-people-activities", 0.2}, {"skill.music", 0.15}, {"skill.community-engagement", 0.25},
				{"resource.costume-store", 0.1}, {"resource.sound-equipment", 0.1}, {"skill.event-management", 0.15}},
			needs: []slugChance{{"space.dance-studio", 0.7}, {"space.rehearsal", 0.45}, {"skill.bid-writing", 0.5},
				{"resource.funding", 0.45}, {"skill.youth-work", 0.3}, {"skill.safeguarding", 0.3}, {"skill.marketing", 0.3},
				{"skill.evaluation", 0.25}, {"audience.young-people", 0.2}, {"space.theatre", 0.15}, {"skill.accessibility-advice", 0.1}},
			values: []slugChance{{"inclusion", 0.6}, {"fair-pay-for-artists", 0.5}, {"accessibility", 0.35}, {"anti-racism", 0.3},
				{"lgbtq-inclusion", 0.25}, {"environmental-sustainability", 0.3}, {"wellbeing", 0.25}, {"animal-welfare", 0.06}, {"peace", 0.05}},
			practices:  []slugChance{{"unpaid-internships", 0.03}},
			exclusions: []slugChance{{"fossil-fuel-sponsorship", 0.2}, {"arms-industry-links", 0.15}},
			radiusKm:   [2]int{10, 40},
		},
		matching.OrgYouthService: {
			names: []nameTpl{
				{t: "{P} Youth Hub", venue: vYouthCentre, venueP: 0.9}, {t: "{P} Youth Club", venue: vYouthCentre, venueP: 0.8},
				{t: "{P} Youth Centre", venue: vYouthCentre, venueP: 1}, {t: "{A} Youth Service"},
				{t: "{P} Young People's Project", venue: vYouthCentre, venueP: 0.5}, {t: "{A} Detached Youth Work"},
				{t: "{A} Young Carers"}, {t: "{P} Youth Trust", venue: vYouthCentre, venueP: 0.7},
			},
			blurbs: []string{
				"{N} runs open-access youth sessions, trips and holiday activities for young people in {P}.",
				"{N} supports young people aged 11 to 19 across {P} with youth work, advice and activities.",
			},
			offers: []slugChance{{"skill.youth-work", 0.9}, {"space.hall", 0.6}, {"skill.safeguarding", 0.6},
				{"audience.young-people", 0.5}, {"resource.minibus", 0.3}, {"skill.mental-health-support", 0.2}},
			needs: []slugChance{{"skill.dance-teaching", 0.6}, {"programme.youth-activities", 0.5}, {"skill.music", 0.3},
				{"skill.bid-writing", 0.35}, {"resource.funding", 0.5}, {"skill.volunteer-management", 0.2}, {"skill.choreography", 0.1}},
			values: []slugChance{{"youth-voice", 0.8}, {"inclusion", 0.6}, {"wellbeing", 0.5}, {"anti-racism", 0.3},
				{"accessibility", 0.25}, {"lgbtq-inclusion", 0.2}},
			exclusions: []slugChance{{"gambling-sponsorship", 0.4}, {"alcohol-sponsorship", 0.4}},
			radiusKm:   [2]int{5, 20},
		},
		matching.OrgCommunity: {
			names: []nameTpl{
				{t: "{P} Community Association", venue: vCommunityCentre, venueP: 0.9},
				{t: "{P} Village Hall Trust", venue: vVillageHall, venueP: 1},
				{t: "{P} Community Centre", venue: vCommunityCentre, venueP: 1},
				{t: "{P} Memorial Hall Trust", venue: vVillageHall, venueP: 1},
				{t: "Friends of {P}"}, {t: "{P} Residents' Association"}, {t: "{P} Good Neighbours"},
				{t: "{P} Women's Institute"}, {t: "{P} Men's Shed", venue: vScoutHut, venueP: 0.5},
				{t: "{P} Community Land Trust", values: []string{"community-ownership"}},
				{t: "{A} Animal Rescue", values: []string{"animal-welfare"}},
			},
			blurbs: []string{
				"{N} looks after its hall and runs activities for everyone in {P}.",
				"{N} is a volunteer-run charity bringing people together in {P}.",
			},
			offers: []slugChance{{"space.hall", 0.7}, {"space.meeting-room", 0.45}, {"skill.volunteer-management", 0.3},
				{"skill.community-engagement", 0.5}, {"audience.older-people", 0.3}, {"audience.families", 0.3}, {"space.outdoor", 0.1}},
			needs: []slugChance{{"programme.youth-activities", 0.3}, {"skill.dance-teaching", 0.3}, {"resource.funding", 0.5},
				{"skill.bid-writing", 0.4}, {"skill.marketing", 0.3}, {"programme.older-people-activities", 0.3},
				{"skill.accessibility-advice", 0.2}, {"skill.finance", 0.15}},
			values: []slugChance{{"community-ownership", 0.6}, {"inclusion", 0.4}, {"wellbeing", 0.4},
				{"environmental-sustainability", 0.3}, {"accessibility", 0.3}, {"animal-welfare", 0.1}},
			radiusKm: [2]int{5, 12},
		},
		matching.OrgSchool: {
			names: []nameTpl{
				{t: "{P} Primary School", venue: vSchool, venueP: 1}, {t: "{P} C of E Primary School", values: []string{"faith-based"}, venue: vSchool, venueP: 1},
				{t: "{P} Academy", venue: vSchool, venueP: 1}, {t: "{P} Infant School", venue: vSchool, venueP: 1},
				{t: "{P} Junior School", venue: vSchool, venueP: 1}, {t: "St Mary's Catholic Primary School, {P}", values: []string{"faith-based"}, venue: vSchool, venueP: 1},
				{t: "{P} Community College", venue: vSchool, venueP: 1, minPop: 8000}, {t: "{P} Nursery School", venue: vSchool, venueP: 1},
			},
			blurbs: []string{
				"{N} is a state school serving families in and around {P}; its hall is let in the evenings and at weekends.",
				"{N} welcomes community groups to use its hall, classrooms and playing field outside school hours.",
			},
			offers: []slugChance{{"space.hall", 0.9}, {"space.classroom", 0.7}, {"space.outdoor", 0.35}, {"audience.young-people", 0.6},
				{"audience.families", 0.3}, {"space.theatre", 0.08}},
			needs: []slugChance{{"skill.dance-teaching", 0.6}, {"skill.choreography", 0.2}, {"skill.music", 0.3},
				{"skill.mental-health-support", 0.3}, {"programme.holiday-club", 0.2}, {"resource.funding", 0.3}},
			values:     []slugChance{{"inclusion", 0.7}, {"wellbeing", 0.6}, {"youth-voice", 0.4}, {"environmental-sustainability", 0.3}},
			exclusions: []slugChance{{"gambling-sponsorship", 0.5}, {"alcohol-sponsorship", 0.4}, {"arms-industry-links", 0.2}},
			radiusKm:   [2]int{5, 15},
		},
		matching.OrgCouncil: {
			names: []nameTpl{{t: "{P} Parish Council", venue: vTownHall, venueP: 0.6}},
			blurbs: []string{
				"{N} is the local council for {P}: it funds community projects and looks after public buildings.",
			},
			offers: []slugChance{{"resource.funding", 0.95}, {"skill.community-engagement", 0.5}, {"skill.evaluation", 0.3},
				{"space.meeting-room", 0.4}, {"skill.safeguarding", 0.25}, {"space.hall", 0.3}, {"skill.bid-writing", 0.15}},
			needs: []slugChance{{"programme.youth-activities", 0.5}, {"programme.older-people-activities", 0.4},
				{"skill.community-engagement", 0.2}, {"skill.accessibility-advice", 0.2}, {"audience.young-people", 0.2}},
			values: []slugChance{{"inclusion", 0.5}, {"environmental-sustainability", 0.6}, {"accessibility", 0.5},
				{"wellbeing", 0.4}, {"living-wage", 0.5}, {"community-ownership", 0.2}},
			exclusions: []slugChance{{"gambling-sponsorship", 0.2}},
			radiusKm:   [2]int{5, 15},
		},
		matching.OrgHealth: {
			names: []nameTpl{
				{t: "{P} Surgery"}, {t: "{P} Medical Practice"}, {t: "{A} Mind"}, {t: "{P} Health Centre", venue: vHealthCentre, venueP: 0.5},
				{t: "{A} Social Prescribing Network"}, {t: "{A} Parkinson's Support Group"}, {t: "{P} Dementia Cafe"}, {t: "{A} Carers Trust"},
			},
			blurbs: []string{
				"{N} supports the health and wellbeing of people in {P}, and refers patients to local activities.",
				"{N} helps people in {P} stay active and connected through social prescribing.",
			},
			offers: []slugChance{{"skill.mental-health-support", 0.7}, {"skill.safeguarding", 0.4}, {"audience.older-people", 0.5},
				{"skill.accessibility-advice", 0.3}, {"space.meeting-room", 0.3}, {"resource.funding", 0.2}, {"audience.disabled-people", 0.2}},
			needs: []slugChance{{"programme.older-people-activities", 0.6}, {"skill.dance-teaching", 0.4}, {"space.hall", 0.3},
				{"skill.evaluation", 0.3}, {"skill.community-engagement", 0.3}},
			values:     []slugChance{{"wellbeing", 0.9}, {"inclusion", 0.5}, {"accessibility", 0.6}},
			exclusions: []slugChance{{"gambling-sponsorship", 0.3}, {"alcohol-sponsorship", 0.2}},
			radiusKm:   [2]int{5, 25},
		},
		matching.OrgFaith: {
			names: []nameTpl{
				{t: "{P} Baptist Church", venue: vChurch, venueP: 1}, {t: "St Mary's Church, {P}", venue: vChurch, venueP: 1},
				{t: "{P} Methodist Church", venue: vChurch, venueP: 1}, {t: "{P} United Reformed Church", venue: vChurch, venueP: 1},
				{t: "St Andrew's Church, {P}", venue: vChurch, venueP: 1}, {t: "{P} Quaker Meeting", values: []string{"peace"}, venue: vChurch, venueP: 0.8},
				{t: "{P} Free Church", venue: vChurch, venueP: 0.9},
				{t: "{A} Evangelical Mission", practices: []string{"religious-proselytising"}}, {t: "Our Lady and St Joseph, {P}", venue: vChurch, venueP: 1},
				{t: "{P} Salvation Army", venue: vChurch, venueP: 1, minPop: 10000}, {t: "{P} Mosque", venue: vChurch, venueP: 1, minPop: 100000},
				{t: "{P} Gurdwara", venue: vChurch, venueP: 1, minPop: 100000}, {t: "{P} Hindu Community Centre", venue: vCommunityCentre, venueP: 1, minPop: 100000},
			},
			blurbs: []string{
				"{N} is a worshipping community in {P} whose hall is home to toddler groups, clubs and classes.",
				"{N} serves the people of {P} and lets its hall to local groups at community rates.",
			},
			offers: []slugChance{{"space.hall", 0.85}, {"space.meeting-room", 0.5}, {"skill.volunteer-management", 0.4},
				{"audience.families", 0.4}, {"audience.older-people", 0.4}, {"space.outdoor", 0.08}},
			needs: []slugChance{{"programme.youth-activities", 0.4}, {"skill.safeguarding", 0.3}, {"resource.funding", 0.3},
				{"skill.bid-writing", 0.3}, {"skill.marketing", 0.2}, {"programme.older-people-activities", 0.2}},
			values:     []slugChance{{"faith-based", 1}, {"inclusion", 0.4}, {"community-ownership", 0.3}, {"wellbeing", 0.3}, {"environmental-sustainability", 0.2}},
			exclusions: []slugChance{{"gambling-sponsorship", 0.3}, {"alcohol-sponsorship", 0.2}},
			radiusKm:   [2]int{5, 10},
		},
		matching.OrgBusiness: {
			names: []nameTpl{
				{t: "{P} Fitness", venue: vFitness, venueP: 1, minPop: 5000},
				{t: "{P} Hotel and Conference Centre", venue: vHotel, venueP: 1, practices: []string{"alcohol-sponsorship"}, minPop: 10000},
				{t: "{A} Brewing Company", practices: []string{"alcohol-sponsorship"}},
				{t: "{A} Bookmakers", practices: []string{"gambling-sponsorship"}},
				{t: "{A} Energy Services", practices: []string{"fossil-fuel-sponsorship"}},
				{t: "{A} Bioscience", practices: []string{"animal-testing"}},
				{t: "{A} Pharmaceuticals", practices: []string{"animal-testing"}},
				{t: "{A} Defence Systems", practices: []string{"arms-industry-links"}},
				{t: "{P} Dance Supplies"}, {t: "{A} Events", practices: []string{"zero-hours-contracts"}},
				{t: "{A} Building Society", values: []string{"community-ownership"}}, {t: "{P} Co-operative", values: []string{"community-ownership"}},
				{t: "{A} Software"}, {t: "{P} Garden Centre"}, {t: "{A} Bus Company"},
			},
			blurbs: []string{
				"{N} is a local business in {P} that supports community projects through sponsorship and staff volunteering.",
				"{N} employs local people in {P} and backs local events.",
			},
			offers: []slugChance{{"resource.funding", 0.5}, {"skill.marketing", 0.45}, {"resource.sound-equipment", 0.15},
				{"resource.minibus", 0.1}, {"space.meeting-room", 0.25}, {"skill.finance", 0.3}, {"skill.event-management", 0.15}},
			needs:  []slugChance{{"skill.community-engagement", 0.5}, {"audience.families", 0.3}, {"audience.young-people", 0.2}},
			values: []slugChance{{"living-wage", 0.2}, {"environmental-sustainability", 0.15}, {"inclusion", 0.2}},
			practices: []slugChance{{"gambling-sponsorship", 0.08}, {"fossil-fuel-sponsorship", 0.08}, {"alcohol-sponsorship", 0.08},
				{"zero-hours-contracts", 0.12}},
			radiusKm: [2]int{10, 40},
		},
		matching.OrgOther: {
			names: []nameTpl{
				{t: "{A} Rotary Club"}, {t: "{P} Lions Club"}, {t: "{A} Film Society"},
				{t: "{A} Wildlife Group", values: []string{"animal-welfare", "environmental-sustainability"}},
				{t: "{P} Allotment Society", values: []string{"environmental-sustainability"}},
				{t: "{A} Heritage Trust"}, {t: "{P} Scout Group", venue: vScoutHut, venueP: 0.8},
				{t: "{P} Girlguiding", venue: vScoutHut, venueP: 0.5}, {t: "{A} Cat Rescue", values: []string{"animal-welfare"}},
				{t: "{A} Climate Action", values: []string{"environmental-sustainability"}},
				{t: "{A} Humanists", values: []string{"secular"}},
			},
			blurbs: []string{
				"{N} is a volunteer group active in {P}.",
				"{N} brings people together around a shared interest in and around {P}.",
			},
			offers: []slugChance{{"skill.volunteer-management", 0.4}, {"skill.fundraising", 0.4}, {"resource.minibus", 0.15},
				{"space.outdoor", 0.15}, {"audience.families", 0.3}},
			needs: []slugChance{{"space.hall", 0.4}, {"space.meeting-room", 0.4}, {"skill.marketing", 0.3}, {"resource.funding", 0.3}},
			values: []slugChance{{"environmental-sustainability", 0.3}, {"community-ownership", 0.3}, {"inclusion", 0.3},
				{"animal-welfare", 0.1}, {"peace", 0.05}},
			radiusKm: [2]int{5, 20},
		},
	}
}

// areaNames are the wider areas organisations name themselves after, by
// district.
func areaNames() map[string][]string {
	return map[string][]string{
		distCambridge:  {"Cambridge", "Cam Valley"},
		distSouthCambs: {"South Cambs", "Cam Valley", "Chalk Hills"},
		distEastCambs:  {"Isle of Ely", "East Cambs", "Fen Edge"},
		distFenland:    {"Fenland", "Fens", "Nene"},
		distHunts:      {"Huntingdonshire", "Ouse Valley", "Hunts"},
		distPboro:      {"Peterborough", "Nene Valley"},
	}
}

// villageColleges are the places whose secondary school is a village college.
func villageColleges() map[string]bool {
	return map[string]bool{"Linton": true, "Sawston": true, "Bottisham": true, "Comberton": true, "Impington": true,
		"Cottenham": true, "Swavesey": true, "Melbourn": true, "Bassingbourn": true, "Soham": true, "Witchford": true, "Cambourne": true}
}

// townCouncils are the places whose local council is a town council.
func townCouncils() map[string]bool {
	return map[string]bool{"St Neots": true, "Huntingdon": true, "St Ives": true, "Godmanchester": true, "Ramsey": true,
		"Wisbech": true, "March": true, "Whittlesey": true, "Chatteris": true, "Soham": true, "Cambourne": true, "Northstowe": true}
}
