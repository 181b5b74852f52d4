package openactive

import (
	"slices"
	"strings"

	"commonground/matching"
)

// Data is one consistent snapshot of what the feeds publish: every
// organisation, venue and space, and the spaces' confirmed bookings. It
// is a matching.SnapshotSink, filled by the store's Snapshot.
type Data struct {
	// Revision is the store revision the snapshot shows.
	Revision      int64
	Organisations map[string]*matching.Organisation
	Venues        map[string]*matching.Venue
	// Spaces are in ID order once Sort has run.
	Spaces   []*matching.Space
	Bookings map[string][]matching.Session
}

var _ matching.SnapshotSink = (*Data)(nil)

// NewData returns an empty snapshot to fill.
func NewData() *Data {
	return &Data{Organisations: map[string]*matching.Organisation{}, Venues: map[string]*matching.Venue{},
		Bookings: map[string][]matching.Session{}}
}

// Organisation keeps a copy of o.
func (d *Data) Organisation(o *matching.Organisation) error {
	c := *o
	d.Organisations[o.ID] = &c
	return nil
}

// Venue keeps a copy of v.
func (d *Data) Venue(v *matching.Venue) error {
	c := *v
	d.Venues[v.ID] = &c
	return nil
}

// Space keeps a copy of s.
func (d *Data) Space(s *matching.Space) error {
	c := *s
	d.Spaces = append(d.Spaces, &c)
	return nil
}

// Booked keeps a space's confirmed booked periods (sorted by start).
func (d *Data) Booked(spaceID string, periods []matching.Session) error {
	p := slices.Clone(periods)
	slices.SortFunc(p, func(a, b matching.Session) int { return a.Start.Compare(b.Start) })
	d.Bookings[spaceID] = p
	return nil
}

// Sort puts the spaces in ID order, as the feeds need them.
func (d *Data) Sort() {
	slices.SortFunc(d.Spaces, func(a, b *matching.Space) int { return strings.Compare(a.ID, b.ID) })
}
