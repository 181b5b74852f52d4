package matching

import "github.com/paulmach/orb"

// Page selects one page of a list in ID order: the items after AfterID, at
// most Limit of them (0: no limit).
type Page struct {
	AfterID string
	Limit   int
}

// OrganisationFilter selects organisations. Within, when set, keeps those
// whose base lies inside the box (callers re-check true distances).
type OrganisationFilter struct {
	Page
	Within *orb.Bound
	Type   OrgType
	Offers string // a category the organisation offers
	Needs  string // a category the organisation needs
}

// VenueFilter selects venues.
type VenueFilter struct {
	Page
	Within         *orb.Bound
	OrganisationID string
}

// SpaceFilter selects spaces.
type SpaceFilter struct {
	Page
	Within         *orb.Bound
	VenueID        string
	OrganisationID string
	Kind           SpaceKind
	MinCapacity    int
	// Allows is an activity the space must suit: not prohibited, and its
	// rules (ProfileFor) met for a group of MinCapacity, at least one.
	// AllowOutdoor lets outdoor spaces suit it.
	Allows       string
	AllowOutdoor bool
}
