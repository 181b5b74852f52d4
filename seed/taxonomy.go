// Package seed produces Common Ground's reference and demo data: the shared
// taxonomy, a gazetteer of Cambridgeshire towns and villages, a
// deterministic demo county, synthetic data at any scale for benchmarks,
// and a CSV importer for a council's own venues and spaces.
//
// Everything here returns domain values from package matching; nothing
// touches a database or the network, and every generator is deterministic
// for a given seed number.
package seed

import (
	"sync"

	"commonground/matching"
)

// Taxonomy returns the shared vocabulary of Common Ground: offer and need
// categories, values, practices, dance activities and the value/practice
// conflicts that make two organisations incompatible, and the partnership
// health criteria with their questions. It is built once and
// shared; callers must treat it as read-only.
func Taxonomy() *matching.Taxonomy { return taxonomyOnce() }

var taxonomyOnce = sync.OnceValue(func() *matching.Taxonomy {
	t, err := matching.NewTaxonomy(categoryTerms(), valueTerms(), practiceTerms(), activityTerms(), conflicts()).
		WithMeets(offerMeets()).WithHealthCriteria(healthCriteria())
	if err != nil { // the criteria are fixed above; TestHealthCriteriaPrompts holds them
		panic(err)
	}
	return t
})

func categoryTerms() []matching.Term {
	return []matching.Term{
		// Spaces.
		{Slug: "space.rehearsal", Label: "Rehearsal space", Description: "A room to rehearse or practise in."},
		{Slug: "space.dance-studio", Label: "Dance studio", Description: "A studio fit for dance: sprung floor, mirrors, barres.", Broader: "space.rehearsal"},
		{Slug: "space.hall", Label: "Hall", Description: "A village, community, school or church hall."},
		{Slug: "space.meeting-room", Label: "Meeting room", Description: "A room for meetings, training and small groups."},
		{Slug: "space.theatre", Label: "Theatre", Description: "A stage or auditorium for performances."},
		{Slug: "space.outdoor", Label: "Outdoor space", Description: "A field, garden or courtyard for outdoor work."},
		{Slug: "space.classroom", Label: "Classroom", Description: "A classroom or teaching room."},
		{Slug: "space.office", Label: "Office space", Description: "Desk space or a base for staff."},
		{Slug: "space.storage", Label: "Storage", Description: "Room to store equipment, sets or costumes."},
		// Skills.
		{Slug: "skill.dance-teaching", Label: "Dance teaching", Description: "Classes and workshops led by dance artists."},
		{Slug: "skill.choreography", Label: "Choreography", Description: "Making dance works and performances."},
		{Slug: "skill.youth-work", Label: "Youth work", Description: "Qualified youth workers and youth work practice."},
		{Slug: "skill.safeguarding", Label: "Safeguarding", Description: "Safeguarding policy, training and a designated lead."},
		{Slug: "skill.fundraising", Label: "Fundraising", Description: "Raising money from donors, trusts and sponsors."},
		{Slug: "skill.bid-writing", Label: "Bid writing", Description: "Writing funding bids and tenders.", Broader: "skill.fundraising"},
		{Slug: "skill.marketing", Label: "Marketing", Description: "Publicity, social media and audience development."},
		{Slug: "skill.evaluation", Label: "Evaluation", Description: "Measuring and reporting outcomes and impact."},
		{Slug: "skill.volunteer-management", Label: "Volunteer management", Description: "Recruiting, training and supporting volunteers."},
		{Slug: "skill.music", Label: "Music", Description: "Musicians, accompanists and music leaders."},
		{Slug: "skill.community-engagement", Label: "Community engagement", Description: "Reaching and involving local people."},
		{Slug: "skill.accessibility-advice", Label: "Accessibility advice", Description: "Advice on making activities and buildings accessible."},
		{Slug: "skill.mental-health-support", Label: "Mental health support", Description: "Trained mental health support and first aid."},
		{Slug: "skill.finance", Label: "Finance and governance", Description: "Bookkeeping, accounts and trustee governance."},
		{Slug: "skill.event-management", Label: "Event management", Description: "Planning and running events and performances."},
		// Programmes of activity.
		{Slug: "programme.youth-activities", Label: "Activities for young people", Description: "Regular sessions for children and young people."},
		{Slug: "programme.older-people-activities", Label: "Activities for older people", Description: "Regular sessions for older people, such as dance for health."},
		{Slug: "programme.holiday-club", Label: "Holiday club", Description: "Activities in the school holidays.", Broader: "programme.youth-activities"},
		// Resources.
		{Slug: "resource.transport", Label: "Transport", Description: "Getting people to and from activities."},
		{Slug: "resource.minibus", Label: "Minibus", Description: "A minibus with or without a driver.", Broader: "resource.transport"},
		{Slug: "resource.sound-equipment", Label: "Sound equipment", Description: "PA, speakers and microphones."},
		{Slug: "resource.lighting-equipment", Label: "Lighting equipment", Description: "Stage lighting and a desk."},
		{Slug: "resource.costume-store", Label: "Costume store", Description: "Costumes to borrow or hire."},
		{Slug: "resource.funding", Label: "Funding", Description: "Grants, co-funding or sponsorship."},
		// Audiences an organisation reaches, or wants to reach.
		{Slug: "audience.young-people", Label: "Young people", Description: "Children and young people up to 25."},
		{Slug: "audience.older-people", Label: "Older people", Description: "People over 65."},
		{Slug: "audience.families", Label: "Families", Description: "Parents, carers and children together."},
		{Slug: "audience.disabled-people", Label: "Disabled people", Description: "Disabled people and their carers."},
	}
}

func valueTerms() []matching.Term {
	return []matching.Term{
		{Slug: "animal-welfare", Label: "Animal welfare"},
		{Slug: "environmental-sustainability", Label: "Environmental sustainability"},
		{Slug: "inclusion", Label: "Inclusion"},
		{Slug: "youth-voice", Label: "Youth voice"},
		{Slug: "accessibility", Label: "Accessibility"},
		{Slug: "anti-racism", Label: "Anti-racism"},
		{Slug: "community-ownership", Label: "Community ownership"},
		{Slug: "wellbeing", Label: "Wellbeing"},
		{Slug: "faith-based", Label: "Faith-based"},
		{Slug: "fair-pay-for-artists", Label: "Fair pay for artists"},
		{Slug: "living-wage", Label: "Real Living Wage"},
		{Slug: "lgbtq-inclusion", Label: "LGBTQ+ inclusion"},
		{Slug: "secular", Label: "Secular"},
		{Slug: "peace", Label: "Peace"},
	}
}

func practiceTerms() []matching.Term {
	return []matching.Term{
		{Slug: "animal-testing", Label: "Animal testing"},
		{Slug: "fossil-fuel-sponsorship", Label: "Fossil fuel sponsorship"},
		{Slug: "gambling-sponsorship", Label: "Gambling sponsorship"},
		{Slug: "alcohol-sponsorship", Label: "Alcohol sponsorship"},
		{Slug: "arms-industry-links", Label: "Arms industry links"},
		{Slug: "zero-hours-contracts", Label: "Zero-hours contracts"},
		{Slug: "religious-proselytising", Label: "Religious proselytising"},
		{Slug: "unpaid-internships", Label: "Unpaid internships"},
	}
}

func activityTerms() []matching.Term {
	return []matching.Term{
		{Slug: "ballet", Label: "Ballet"},
		{Slug: "contemporary", Label: "Contemporary"},
		{Slug: "tap", Label: "Tap"},
		{Slug: "jazz", Label: "Jazz"},
		{Slug: "hip-hop", Label: "Hip-hop"},
		{Slug: "street", Label: "Street dance"},
		{Slug: "breaking", Label: "Breaking"},
		{Slug: "flamenco", Label: "Flamenco"},
		{Slug: "ballroom", Label: "Ballroom"},
		{Slug: "latin", Label: "Latin"},
		{Slug: "salsa", Label: "Salsa"},
		{Slug: "lindy-hop", Label: "Lindy hop"},
		{Slug: "folk", Label: "Folk"},
		{Slug: "morris", Label: "Morris"},
		{Slug: "irish", Label: "Irish"},
		{Slug: "aerial", Label: "Aerial"},
		{Slug: "musical-theatre", Label: "Musical theatre"},
		{Slug: "yoga", Label: "Yoga"},
		{Slug: "pilates", Label: "Pilates"},
		{Slug: "contact-improvisation", Label: "Contact improvisation"},
		{Slug: "cheerleading", Label: "Cheerleading"},
		{Slug: "zumba", Label: "Zumba"},
		{Slug: "heels", Label: "Heels"},
		{Slug: "bollywood", Label: "Bollywood"},
		{Slug: "kathak", Label: "Kathak"},
		{Slug: "african", Label: "African"},
		{Slug: "inclusive", Label: "Inclusive dance"},
	}
}

func conflicts() []matching.Conflict {
	return []matching.Conflict{
		{Value: "animal-welfare", Practice: "animal-testing"},
		{Value: "environmental-sustainability", Practice: "fossil-fuel-sponsorship"},
		{Value: "wellbeing", Practice: "gambling-sponsorship"},
		{Value: "wellbeing", Practice: "alcohol-sponsorship"},
		{Value: "youth-voice", Practice: "gambling-sponsorship"},
		{Value: "fair-pay-for-artists", Practice: "zero-hours-contracts"},
		{Value: "fair-pay-for-artists", Practice: "unpaid-internships"},
		{Value: "living-wage", Practice: "zero-hours-contracts"},
		{Value: "peace", Practice: "arms-industry-links"},
		{Value: "secular", Practice: "religious-proselytising"},
	}
}

// offerMeets are the offer → need relations beyond broader/narrower: what one
// category of offer can stand in for.
func offerMeets() []matching.Meet {
	return []matching.Meet{
		{Offer: "space.hall", Need: "space.rehearsal"},
		{Offer: "space.theatre", Need: "space.rehearsal"},
		{Offer: "space.hall", Need: "space.meeting-room"},
		{Offer: "space.classroom", Need: "space.meeting-room"},
		{Offer: "skill.dance-teaching", Need: "programme.youth-activities"},
		{Offer: "skill.dance-teaching", Need: "programme.older-people-activities"},
		{Offer: "skill.music", Need: "programme.youth-activities"},
		{Offer: "skill.youth-work", Need: "programme.youth-activities"},
		{Offer: "skill.bid-writing", Need: "resource.funding"},
	}
}
