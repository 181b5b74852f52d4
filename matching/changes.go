package matching

import "time"

// ChangeSet is what changed in the store after some revision: the current
// state of every organisation, venue and space written since, and the IDs
// of those deleted. The engine applies it to its read model. Deleting an
// organisation deletes its venues and spaces; deleting a venue, its spaces.
// An upserted venue comes with all its spaces (they move with it).
type ChangeSet struct {
	// Revision is the store revision the set brings the reader up to.
	Revision int64
	// Reload asks the reader to rebuild from a full snapshot (after a bulk
	// load, or when the changes since its revision are no longer kept).
	Reload bool

	Organisations        []Organisation
	DeletedOrganisations []string
	Venues               []Venue
	DeletedVenues        []string
	Spaces               []Space
	DeletedSpaces        []string
	// Bookings replaces the confirmed booked periods of each space named
	// (an empty list clears them).
	Bookings map[string][]Session
}

// Empty reports whether the set changes nothing.
func (c *ChangeSet) Empty() bool {
	return !c.Reload && len(c.Organisations)+len(c.DeletedOrganisations)+len(c.Venues)+len(c.DeletedVenues)+
		len(c.Spaces)+len(c.DeletedSpaces)+len(c.Bookings) == 0
}

// SnapshotSink receives a full, consistent snapshot of the store, one
// record at a time, so a million spaces never sit in memory twice. Calls
// come in order: every organisation, then every venue, then every space,
// then the booked periods.
type SnapshotSink interface {
	Organisation(o *Organisation) error
	Venue(v *Venue) error
	Space(s *Space) error
	Booked(spaceID string, periods []Session) error
}

// ChangeLog is what the store's change log says of when each entity last
// changed: the newest revision that wrote it, and that revision's time.
// Open-data feeds order their items by it.
type ChangeLog struct {
	// Revision is the newest revision the log was read through.
	Revision int64
	// Floor is a revision at or before which any entity may have changed
	// without the log naming it: the newest batch load, or the newest
	// revision pruned from the log (0: none). FloorAt is its time; for a
	// pruned floor, the time of the oldest revision kept (no earlier than
	// the pruned ones), zero when the log keeps none.
	Floor   int64
	FloorAt time.Time
	// The newest logged change of each organisation, venue and space, by
	// ID (including those deleted since).
	Organisations, Venues, Spaces map[string]LoggedChange
}

// LoggedChange is one entity's newest change in the log.
type LoggedChange struct {
	Revision int64
	At       time.Time
}
