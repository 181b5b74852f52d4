package seed

import (
	"context"

	"commonground/matching"
)

// DemoStore is what LoadDemo writes the demo county through, as the
// organisations would through the API; *store.DB satisfies it.
type DemoStore interface {
	ListOrganisations(ctx context.Context, f matching.OrganisationFilter) ([]matching.Organisation, error)
	InsertBatch(ctx context.Context, orgs []matching.Organisation, venues []matching.Venue, spaces []matching.Space) error
	CreatePartnership(ctx context.Context, p *matching.Partnership) error
	TransitionPartnership(ctx context.Context, id string, action matching.PartnershipAction, actor matching.Actor) (*matching.Partnership, error)
	AddHealthCheck(ctx context.Context, h *matching.HealthCheck) error
	Book(ctx context.Context, id string, req *matching.BookingRequest, idem *matching.Idempotency, render matching.Render) (matching.Reply, *matching.BookingOutcome, error)
	// AddPeople adds people, all with the password hashing to
	// passwordHash, and their memberships, in one transaction.
	AddPeople(ctx context.Context, people []matching.Person, memberships []matching.Membership, passwordHash string) error
}

// noReply keeps no reply for a demo booking: it has no client to answer.
func noReply(*matching.BookingOutcome) (matching.Reply, error) { return matching.Reply{}, nil }
