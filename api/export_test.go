package api

// The request bodies, exported for the fuzz tests of DecodeStrict.
type (
	OrganisationIn    = organisationIn
	OrganisationPatch = organisationPatch
	ItemIn            = itemIn
	VenueIn           = venueIn
	SpaceIn           = spaceIn
)

// The partnership request bodies, exported for the fuzz tests.
type (
	PartnershipIn           = partnershipIn
	PartnershipPatch        = partnershipPatch
	HealthCheckIn           = healthCheckIn
	EvaluationIn            = evaluationIn
	ConsortiumPartnershipIn = consortiumPartnershipIn
)

// The people request bodies, exported for the fuzz tests.
type (
	PersonIn      = personIn
	LoginIn       = loginIn
	PersonPatch   = personPatch
	MemberPatch   = memberPatch
	InvitationIn  = invitationIn
	APIKeyIn      = apiKeyIn
	ResetIn       = resetIn
	NewPasswordIn = newPasswordIn
	WebhookIn     = webhookIn
)

// OpenAPIDocument returns a copy of the embedded OpenAPI document, for
// the tests that keep it true.
func OpenAPIDocument() []byte { return append([]byte(nil), openAPIDocument...) }
