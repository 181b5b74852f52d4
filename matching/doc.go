// Package matching is the domain of Common Ground: the types the service
// speaks in, the rules that decide what matches what, and the in-memory
// read model those rules run on. It imports the standard library, orb and
// commonground/geo, nothing else of the service.
//
// # Types
//
// Organisation (with its Offers and Needs), Venue, Space (with its
// OpeningHours, Closures and Prices), Booking, Partnership and HealthCheck
// are the records the API reads and writes and the store keeps. Each
// checks itself with Validate; what names a category, value, practice or
// activity is checked against the Taxonomy, the shared vocabulary (which
// also says which offers meet which needs and which values conflict with
// which practices). Bad input comes back as a *ValidationError naming
// every bad field; every other error wraps one of the domain errors
// (ErrNotFound, ErrConflict, ErrForbidden, …), which the HTTP layer maps
// to statuses.
//
// # The read model
//
// An Engine holds every organisation, venue and space as compact records
// on spatial grids, and answers every query below from memory. It is
// filled from a store snapshot through a Loader (a SnapshotSink: Commit
// swaps the new model in while queries keep running on the old one) and
// kept current by Apply, with the ChangeSet of what the store committed
// since the engine's Revision. It never holds anything the database does
// not. Queries share a read lock and changes take the write lock; View
// copies out the whole state for checks.
//
// # Matching
//
// MatchVenues finds the spaces that suit a VenueRequest: a space within
// the radius must pass every exclusion (ExclusionOrder: values, size,
// activity, requirements, budget, availability, each a test in one table
// that both the search and explanations read), and those that pass are
// ranked by weighted soft factors (VenueWeights), each score explained by
// its Reasons. Spaces within twice the radius that do not match are
// counted under the first reason they fail, and ExplainSpaceID lists
// every failure of one space.
//
// MatchPartners finds organisations whose offers meet an organisation's
// needs or the other way round, compatible in values, reciprocal ones
// first (PartnerExclusionOrder counts the rest). MatchGroups answers the
// other half of the venue market: the needs for a room (space.* needs,
// with their size, activity, budget and weekly Windows) that one space
// meets, held to the venue exclusions through a request made from each
// need, with the parts of their windows free over GroupHorizon
// (GroupExclusionOrder counts the rest). BuildConsortia finds
// small teams of compatible organisations that together cover a list of
// requirements. NearbySpaces and NearbyVenues list what lies nearest a
// point.
//
// # Availability
//
// A space can take a session when the session lies within one of its
// opening periods in the venue's local time (so a weekly class keeps its
// wall-clock time across a clock change), no closure overlaps it and no
// confirmed booking does (Space.Unavailability, ReasonOutsideHours,
// ReasonClosure, ReasonBooked). The engine applies the same rule to its
// own records: NearbyQuery.Free keeps the spaces free for a whole period,
// and Engine.SpaceFreeFor asks it of one space. Given when the question is
// asked (VenueRequest.Now, NearbyQuery.Now, GroupRequest.Now), matching
// also holds to the space's booking horizon, the rule by which Space.Admit
// refuses a booking: a session that starts more than the horizon after now
// is not free (ReasonBeyondHorizon). Weekly expands a
// repeating class into Sessions.
//
// # Bookings and partnerships
//
// PlanBooking decides a BookingRequest against a space as it stands and
// the periods already booked: which sessions can be had (none within the
// space's turnaround of a booking), confirmed at once on an instant-book
// space and requested otherwise (or once the organisation would pass the
// space's cap of hours), priced at the request's tier. Space.Admit refuses
// what the space never takes: a tier it does not price, a session past its
// booking horizon. Booking's Approve,
// Decline and Cancel move a booking on from there. The store runs these
// inside its transactions, with the booked periods it has read, so the
// database stays the arbiter of conflicts.
//
// A Partnership is proposed, then accepted or declined, activated,
// completed or ended early; Transition says whether an Actor may take an
// action and where it leads. Health checks score an accepted or active
// partnership; SummariseHealth sums them up. Once accepted, its Agreement
// changes only by consent: ProposeAmendment and DecideAmendment. A
// completed one takes one Evaluation from each side, and StayedGood says
// whether it counts as a trust signal (TrustChange, how a write moves
// that). A ConsortiumPartnership is a partnership of a lead and invited
// members, moved by the same state machine; Incompatible finds the first
// pair that may not work together.
//
// # What it does not do
//
// It serves no HTTP and opens no database: api/ parses requests and
// renders answers, store/ keeps the records and feeds the engine its
// snapshots and changes. It does not log. It never reads the clock:
// whatever depends on the time takes it as an argument (BookingRequest's
// Validate takes now), and local times are read in the *time.Location
// given.
package matching
