package api

// The request bodies, exported for the fuzz tests of DecodeStrict.
type (
	OrganisationIn    = organisationIn
	OrganisationPatch = organisationPatch
	ItemIn            = itemIn
	VenueIn           = venueIn
	SpaceIn           = spaceIn
)
