package api

import (
	"context"
	"net/http"

	"commonground/matching"
)

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

// ParseNeed decodes a need body as POST /v1/organisations/{id}/needs
// does, for the fuzz test of the windows' decoder.
func ParseNeed(body []byte, tax *matching.Taxonomy) (matching.Need, error) {
	var in needIn
	if err := DecodeStrict(body, &in); err != nil {
		return matching.Need{}, err
	}
	return in.toNeed(tax, "need", "org")
}

// RenderNeed is a need as the API shows it.
func RenderNeed(n *matching.Need) Need { return toNeedJSON(n) }

// NewRouterGroupsBusy builds the router as NewRouter does, with every slot
// for searches of the groups a room suits taken, as while that many run,
// until release gives them back.
func NewRouterGroupsBusy(cfg Config) (h http.Handler, release func()) {
	hd, r := newRouter(cfg)
	if hd.groupMatches == nil {
		return r, func() {}
	}
	n := cap(hd.groupMatches.slots)
	for range n {
		hd.groupMatches.acquire(context.Background())
	}
	return r, func() {
		for range n {
			hd.groupMatches.release()
		}
	}
}
