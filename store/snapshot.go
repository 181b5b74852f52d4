package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"commonground/matching"
)

// Snapshot streams the whole store to sink from one consistent read
// transaction (REPEATABLE READ, READ ONLY on PostgreSQL; a deferred
// transaction, which reads one WAL snapshot, on SQLite) and returns the
// revision the snapshot reflects: it holds every change up to that
// revision and none after it, so a reader continues with
// ChangesSince(ctx, revision).
//
// Calls come in the order SnapshotSink documents: every organisation (with
// its offers and needs, each in ID order), then every venue, then every
// space, in no particular order within a kind, then the confirmed booked
// periods of each space that has any (by start). Each record is a fresh
// value the sink may keep.
//
// Memory: rows stream from the database, one at a time, and are not kept
// once the sink has them, with one exception: every offer and need is read
// first and held, grouped by organisation, until its organisation goes to
// the sink (about 840,000 of them, some 200 MB, at a million spaces; the
// sink is handed those same slices, so a sink that keeps them costs
// nothing more). Short strings repeated on every row (kinds, floors, tiers,
// days, activity slugs) are shared through a small table.
//
// The sink runs inside the transaction: it must not use the store (on an
// in-memory SQLite database, whose pool has one connection, that would
// wait forever), and a slow sink holds the transaction open. An error
// from the sink stops the snapshot and is returned wrapped; other errors
// are the database's.
func (db *DB) Snapshot(ctx context.Context, sink matching.SnapshotSink) (int64, error) {
	var rev int64
	err := db.readRows(ctx, func(r rowReader) error {
		c, err := readCounterRow(r)
		if err != nil {
			return err
		}
		rev = c.revision
		in := newInterner()
		if err := snapshotOrganisations(r, in, sink); err != nil {
			return err
		}
		var vc venueCols
		err = r.each(vc.fields(), func() error {
			v := vc.venue(in)
			return sinkErr(sink.Venue(&v), "venue", v.ID)
		}, "SELECT "+venueColumns+" FROM venues")
		if err != nil {
			return err
		}
		var sc spaceCols
		err = r.each(sc.fields(), func() error {
			s, err := sc.space(in)
			if err != nil {
				return err
			}
			return sinkErr(sink.Space(&s), "space", s.ID)
		}, "SELECT "+spaceColumns+" FROM spaces")
		if err != nil {
			return err
		}
		since, args := db.bookedSince()
		return readBooked(r, func(id string, periods []matching.Session) error {
			return sinkErr(sink.Booked(id, periods), "booked periods of space", id)
		}, since, args...)
	})
	if err != nil {
		return 0, translate(err, "snapshot")
	}
	return rev, nil
}

// sinkError is an error returned by a SnapshotSink.
type sinkError struct {
	what, id string
	err      error
}

func (e *sinkError) Error() string {
	return fmt.Sprintf("snapshot sink, %s %s: %v", e.what, e.id, e.err)
}
func (e *sinkError) Unwrap() error { return e.err }

func sinkErr(err error, what, id string) error {
	if err == nil {
		return nil
	}
	return &sinkError{what, id, err}
}

// itemsOf are the offers and needs of one organisation.
type itemsOf struct {
	orgID  string
	offers []matching.Offer
	needs  []matching.Need
}

// snapshotOrganisations reads every offer and need into memory, grouped by
// organisation, then streams the organisations, handing each its group.
// Offers and needs are few next to spaces, and each group is dropped as
// soon as its organisation has gone to the sink. Reading them by
// organisation instead (paging through organisations in ID order and each
// page's offers and needs by key range) kept less in memory but took four
// times as long at a million spaces: the key ranges fall on scattered
// table pages.
func snapshotOrganisations(r rowReader, in *interner, sink matching.SnapshotSink) error {
	byOrg := map[string]*itemsOf{}
	group := func(orgID []byte) *itemsOf {
		g := byOrg[string(orgID)]
		if g == nil {
			g = &itemsOf{orgID: string(orgID)}
			byOrg[g.orgID] = g
		}
		return g
	}
	var ic itemCols
	err := r.each(ic.fields(), func() error {
		g := group(ic.orgID())
		g.offers = append(g.offers, ic.offer(in, g.orgID))
		return nil
	}, "SELECT "+itemColumns+" FROM offers")
	if err != nil {
		return err
	}
	var nc needCols
	err = r.each(nc.fields(), func() error {
		g := group(nc.orgID())
		n, err := nc.need(in, g.orgID)
		g.needs = append(g.needs, n)
		return err
	}, "SELECT "+needColumns+" FROM needs")
	if err != nil {
		return err
	}
	var oc orgCols
	err = r.each(oc.fields(), func() error {
		o, err := oc.organisation(in)
		if err != nil {
			return err
		}
		if g := byOrg[o.ID]; g != nil {
			delete(byOrg, o.ID)
			if g.offers != nil {
				o.Offers = g.offers
				slices.SortFunc(o.Offers, func(a, b matching.Offer) int { return strings.Compare(a.ID, b.ID) })
			}
			if g.needs != nil {
				o.Needs = g.needs
				slices.SortFunc(o.Needs, func(a, b matching.Need) int { return strings.Compare(a.ID, b.ID) })
			}
		}
		return sinkErr(sink.Organisation(&o), "organisation", o.ID)
	}, "SELECT "+orgColumns+" FROM organisations")
	if err == nil && len(byOrg) > 0 {
		for id := range byOrg {
			return fmt.Errorf("offers or needs of organisation %s, which was not read", id)
		}
	}
	return err
}

// fillOffersNeeds appends to orgs (a few) the offers and needs matching
// where (a condition on organisation_id), each in ID order. Every row found
// must belong to one of orgs.
func fillOffersNeeds(r rowReader, in *interner, orgs []matching.Organisation, where string, args ...any) error {
	byID := make(map[string]*matching.Organisation, len(orgs))
	for i := range orgs {
		byID[orgs[i].ID] = &orgs[i]
	}
	var ic itemCols
	err := r.each(ic.fields(), func() error {
		o := byID[string(ic.orgID())]
		if o == nil {
			return fmt.Errorf("offers %s: organisation %s was not read with it", ic.row.ID, ic.orgID())
		}
		o.Offers = append(o.Offers, ic.offer(in, o.ID))
		return nil
	}, "SELECT "+itemColumns+" FROM offers WHERE "+where+" ORDER BY organisation_id, id", args...)
	if err != nil {
		return err
	}
	var nc needCols
	return r.each(nc.fields(), func() error {
		o := byID[string(nc.orgID())]
		if o == nil {
			return fmt.Errorf("needs %s: organisation %s was not read with it", nc.row.ID, nc.orgID())
		}
		n, err := nc.need(in, o.ID)
		o.Needs = append(o.Needs, n)
		return err
	}, "SELECT "+needColumns+" FROM needs WHERE "+where+" ORDER BY organisation_id, id", args...)
}
