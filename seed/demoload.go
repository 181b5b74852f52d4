package seed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"commonground/matching"
	"commonground/password"
)

// ErrNotEmpty is returned by LoadDemo for a database that already holds
// organisations: demo data is only ever created in an empty database.
var ErrNotEmpty = errors.New("database holds data")

// The demo county's starting history: how many partnerships, weekly
// bookings and requests waiting for approval it is given.
const (
	demoPartnerships = 12
	demoBookings     = 20
	demoRequests     = 5
)

// DemoPassword is the password of every demo person (see DemoPeople): for
// trying the service locally, never for a database holding real data.
const DemoPassword = "commonground-demo"

// DemoPeople gives every demo organisation one person, its admin, with
// the password DemoPassword and the email admin@ its own email's domain,
// or its name's (admin-2@, admin-3@, … where organisations share one).
func DemoPeople(ds *Dataset, now time.Time) ([]matching.Person, []matching.Membership) {
	people := make([]matching.Person, len(ds.Organisations))
	ms := make([]matching.Membership, len(ds.Organisations))
	seen := map[string]int{}
	for i := range ds.Organisations {
		o := &ds.Organisations[i]
		_, domain, _ := strings.Cut(o.Email, "@")
		if domain == "" {
			domain = slugify(o.Name) + ".example.org"
		}
		seen[domain]++
		email := "admin@" + domain
		if n := seen[domain]; n > 1 {
			email = fmt.Sprintf("admin-%d@%s", n, domain)
		}
		id := uuid.NewSHA1(uuid.NameSpaceURL, []byte("demo-person:"+o.ID)).String()
		people[i] = matching.Person{ID: id, Name: o.Name + " admin", Email: email, EmailNotifications: true, CreatedAt: now}
		ms[i] = matching.Membership{OrganisationID: o.ID, PersonID: id, Role: matching.RoleAdmin, CreatedAt: now}
	}
	return people, ms
}

// LoadDemo writes the demo county of seed number n (see Demo) into st,
// which must hold no organisation, then replays its partnership stories
// and books its weekly classes, dated from now. It logs what it loaded.
//
// It returns ErrNotEmpty, writing nothing, if st holds an organisation.
// Two replicas starting together on one empty database may both try: the
// loser's batch fails on the IDs the winner wrote and is rolled back
// whole, and the loser returns nil. Any other failure of a write is
// returned wrapped.
func LoadDemo(ctx context.Context, st DemoStore, n int64, now time.Time, log *slog.Logger) error {
	some, err := st.ListOrganisations(ctx, matching.OrganisationFilter{Page: matching.Page{Limit: 1}})
	if err != nil {
		return err
	}
	if len(some) > 0 {
		return ErrNotEmpty
	}
	start := time.Now()
	ds := Demo(n)
	if err := st.InsertBatch(ctx, ds.Organisations, ds.Venues, ds.Spaces); err != nil {
		if errors.Is(err, matching.ErrConflict) {
			log.Info("demo county already being loaded by another replica")
			return nil
		}
		return fmt.Errorf("load demo county: %w", err)
	}
	log.Info("loaded demo county", "seed", n, "organisations", len(ds.Organisations), "venues", len(ds.Venues),
		"spaces", len(ds.Spaces), "took", time.Since(start).Round(time.Millisecond))
	people, ms := DemoPeople(ds, now.UTC().Truncate(time.Microsecond))
	emails := make(map[string]string, len(people))
	for i := range people {
		emails[ms[i].OrganisationID] = people[i].Email
	}
	// One hash for all: demo people share the one documented password.
	if err := st.AddPeople(ctx, people, ms, password.Hash(DemoPassword, password.Default)); err != nil {
		return fmt.Errorf("demo people: %w", err)
	}
	if err := loadDemoPartnerships(ctx, st, ds, n, now, log); err != nil {
		return err
	}
	if err := loadDemoBookings(ctx, st, ds, n, now, log); err != nil {
		return err
	}
	return loadDemoRequests(ctx, st, ds, n, now, emails, log)
}

// loadDemoRequests asks to book rooms whose owners approve each booking,
// and logs how to sign in as the first such owner.
func loadDemoRequests(ctx context.Context, st DemoStore, ds *Dataset, n int64, now time.Time, emails map[string]string, log *slog.Logger) error {
	owners := map[string]*matching.Organisation{}
	for i := range ds.Organisations {
		owners[ds.Organisations[i].ID] = &ds.Organisations[i]
	}
	spaces := map[string]*matching.Space{}
	for i := range ds.Spaces {
		spaces[ds.Spaces[i].ID] = &ds.Spaces[i]
	}
	var first *matching.Organisation
	waiting := 0
	for _, req := range DemoRequests(ds, n, now, demoRequests) {
		_, outcome, err := st.Book(ctx, uuid.Must(uuid.NewV7()).String(), &req, nil, noReply)
		if err != nil {
			return fmt.Errorf("demo request: %w", err)
		}
		if outcome.Booking == nil {
			continue
		}
		waiting++
		if first == nil {
			first = owners[spaces[req.SpaceID].OrganisationID]
		}
	}
	log.Info("loaded demo requests", "waiting", waiting)
	if first != nil {
		log.Info("demo sign-in: a room owner with a booking request to approve",
			"email", emails[first.ID], "password", DemoPassword, "organisation", first.Name)
	}
	return nil
}

// loadDemoPartnerships replays the demo county's partnership stories
// through the store, as their organisations would have: proposal,
// acceptance, start, health checks and completion, so completed ones count
// as trust in partner matching.
func loadDemoPartnerships(ctx context.Context, st DemoStore, ds *Dataset, n int64, now time.Time, log *slog.Logger) error {
	stories := DemoPartnerships(ds, Taxonomy(), n, now, demoPartnerships)
	completed := 0
	for _, story := range stories {
		p := story.Partnership
		proposer, partner := matching.Actor{OrganisationID: p.ProposerID}, matching.Actor{OrganisationID: p.PartnerID}
		if err := st.CreatePartnership(ctx, &p); err != nil {
			return fmt.Errorf("demo partnership: %w", err)
		}
		if !story.Accepted {
			continue
		}
		steps := []struct {
			action matching.PartnershipAction
			by     matching.Actor
		}{{matching.ActionAccept, partner}, {matching.ActionActivate, proposer}}
		for _, step := range steps {
			if _, err := st.TransitionPartnership(ctx, p.ID, step.action, step.by); err != nil {
				return fmt.Errorf("demo partnership %s: %w", step.action, err)
			}
		}
		for i := range story.Checks {
			if err := st.AddHealthCheck(ctx, &story.Checks[i]); err != nil {
				return fmt.Errorf("demo health check: %w", err)
			}
		}
		if story.Completed {
			if _, err := st.TransitionPartnership(ctx, p.ID, matching.ActionComplete, proposer); err != nil {
				return fmt.Errorf("demo partnership complete: %w", err)
			}
			completed++
		}
	}
	log.Info("loaded demo partnerships", "partnerships", len(stories), "completed", completed)
	return nil
}

// loadDemoBookings books the demo county's weekly classes through the
// store, as the API would (the store checks hours, closures and overlaps).
func loadDemoBookings(ctx context.Context, st DemoStore, ds *Dataset, n int64, now time.Time, log *slog.Logger) error {
	booked, sessions := 0, 0
	for _, req := range DemoBookings(ds, n, now, demoBookings) {
		_, outcome, err := st.Book(ctx, uuid.Must(uuid.NewV7()).String(), &req, nil, noReply)
		if err != nil {
			return fmt.Errorf("demo booking: %w", err)
		}
		if outcome.Booked() {
			booked++
			sessions += len(outcome.Booking.ConfirmedSessions())
		}
	}
	log.Info("loaded demo bookings", "bookings", booked, "sessions", sessions)
	return nil
}
