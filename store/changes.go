package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"commonground/matching"
)

// The kinds of change_log rows.
const (
	changeOrganisation = "organisation"
	changeVenue        = "venue"
	changeSpace        = "space"
	changeBulk         = "bulk" // a batch load: readers reload
)

// maxChangeSet is the most entities ChangesSince returns one by one; past
// it the reader is told to reload from a snapshot.
const maxChangeSet = 10000

// change is one entity a write touched.
type change struct{ kind, id string }

// write runs fn in a transaction and records the changes it returns under
// one new revision before committing, with the audit line the context
// describes (see recordAudit).
func (db *DB) write(ctx context.Context, fn func(tx *gorm.DB) ([]change, error)) error {
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		changes, err := fn(tx)
		if err != nil {
			return txFailed(tx, err)
		}
		if err := db.recordAudit(tx); err != nil {
			return err
		}
		return db.recordChanges(tx, changes)
	})
}

// txFailed says why a statement of tx failed when tx's time ran out: a
// row read with Row().Scan reports only that the transaction is done, which
// boundedTx cannot wrap, so the error would not say the database was away.
func txFailed(tx *gorm.DB, err error) error {
	if btx, ok := tx.Statement.ConnPool.(*boundedTx); ok {
		return unavailable(err, btx.parent, btx.ctx)
	}
	return err
}

// recordChanges bumps the store's revision and logs changes under the new
// revision; it must be the last statement of a write transaction. No
// changes, no revision.
//
// Every write bumps one counter, change_counter.revision, and records what
// it touched in change_log under the new revision, inside the write's own
// transaction: a write that fails or rolls back leaves neither behind.
// Read models (the matching engine of every replica sharing the database)
// follow the store with Snapshot and then ChangesSince.
//
// The counter is bumped with
//
//	UPDATE change_counter SET revision = revision + 1 WHERE id = 1 RETURNING revision
//
// which locks the counter's single row until the transaction ends. The next
// writer waits on that lock and then reads the committed value, so
// revisions are handed out one at a time, in the order the writes commit:
// when revision N is visible, every revision below N committed before it.
// A reader whose snapshot shows the counter at N therefore sees every
// change ≤ N and none after, and "everything after N" is exactly
// change_log's rows with revision > N: nothing can later commit with a
// smaller number. A sequence would not do: its values are taken when a
// transaction asks, not when it commits, so 8 can become visible before 7,
// and a reader that moved on to 8 would never see 7.
//
// The bump comes last, so the lock is held only for the insert into
// change_log and the commit, and never while waiting on another lock: no
// deadlock can pass through it. Writers queue on their last step only
// (SQLite serialises its writers anyway).
func (db *DB) recordChanges(tx *gorm.DB, changes []change) error {
	if len(changes) == 0 {
		return nil
	}
	var rev int64
	res := tx.Raw("UPDATE change_counter SET revision = revision + 1 WHERE id = 1 RETURNING revision").Scan(&rev)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return errors.New("change_counter has no row")
	}
	at := db.now().UTC().Truncate(time.Microsecond)
	var q strings.Builder
	q.WriteString("INSERT INTO change_log (revision, kind, entity_id, changed_at) VALUES ")
	args := make([]any, 0, 4*len(changes))
	for i, c := range changes {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?)")
		args = append(args, rev, c.kind, c.id, at)
	}
	return tx.Exec(q.String(), args...).Error
}

// counter is change_counter's row.
type counter struct{ revision, prunedThrough int64 }

// Revision returns the store's current revision: the number of writes
// committed since the change log was added to the database (0 for a new
// one). Revisions become visible in commit order, so a reader that has
// seen revision N has seen every change up to N (see recordChanges).
func (db *DB) Revision(ctx context.Context) (int64, error) {
	var rev int64
	err := db.gorm.WithContext(ctx).Raw("SELECT revision FROM change_counter WHERE id = 1").Row().Scan(&rev)
	if err != nil {
		return 0, translate(err, "revision")
	}
	return rev, nil
}

// ChangesSince returns what changed after revision since, read in one
// consistent read transaction (as Snapshot's): the current state of every
// organisation (with offers and needs), venue (with all its spaces) and
// space written since, each once, in ID order, and the IDs of those that
// no longer exist. Revision is the revision the set brings the reader up
// to. An offer or need counts as a change to its organisation, a booking
// as a change to its space (which comes with its booked periods).
//
// The set is empty, at the current revision, when nothing changed. It asks
// for a Reload instead of listing changes when a batch load (InsertBatch)
// happened since, when more than 10,000 entities changed, when the log of
// the changes after since has been pruned (PruneChanges), or when since is
// ahead of the store (the database is not the one the reader followed).
// Errors are the database's: there is no bad input.
func (db *DB) ChangesSince(ctx context.Context, since int64) (*matching.ChangeSet, error) {
	cs := &matching.ChangeSet{Revision: since}
	err := db.readRows(ctx, func(r rowReader) error {
		c, err := readCounterRow(r)
		if err != nil {
			return err
		}
		cs.Revision = c.revision
		switch {
		case since == c.revision:
			return nil
		case since > c.revision || since < c.prunedThrough:
			cs.Reload = true
			return nil
		}
		ch, err := readChangeLog(r, since)
		if err != nil {
			return err
		}
		if ch.reload {
			cs.Reload = true
			return nil
		}
		return db.loadChanged(r, ch, cs)
	})
	if err != nil {
		return nil, translate(err, "changes")
	}
	return cs, nil
}

// changed is the set of entities named in change_log after a revision.
type changed struct {
	orgs, venues, spaces map[string]bool
	reload               bool
}

// errEnough stops a scan of change_log once the answer is a reload.
var errEnough = errors.New("enough")

// readChangeLog reads the entities changed after since.
func readChangeLog(r rowReader, since int64) (*changed, error) {
	ch := &changed{orgs: map[string]bool{}, venues: map[string]bool{}, spaces: map[string]bool{}}
	var kind, id string
	err := r.each([]any{&kind, &id}, func() error {
		switch kind {
		case changeOrganisation:
			ch.orgs[id] = true
		case changeVenue:
			ch.venues[id] = true
		case changeSpace:
			ch.spaces[id] = true
		default: // changeBulk, or a kind this version does not know
			ch.reload = true
		}
		if ch.reload || len(ch.orgs)+len(ch.venues)+len(ch.spaces) > maxChangeSet {
			ch.reload = true
			return errEnough
		}
		return nil
	}, "SELECT kind, entity_id FROM change_log WHERE revision > ?", since)
	if errors.Is(err, errEnough) {
		err = nil
	}
	return ch, err
}

// idChunk is the most IDs in one IN list.
const idChunk = 500

// loadChanged fills cs with the current state of the changed entities.
func (db *DB) loadChanged(r rowReader, ch *changed, cs *matching.ChangeSet) error {
	in := newInterner()
	var (
		oc orgCols
		vc venueCols
		sc spaceCols
	)
	ids := sortedKeys(ch.orgs)
	for _, chunk := range chunks(ids, idChunk) {
		var orgs []matching.Organisation
		err := r.each(oc.fields(), func() error {
			o, err := oc.organisation(in)
			orgs = append(orgs, o)
			return err
		}, "SELECT "+orgColumns+" FROM organisations WHERE id IN "+inList(len(chunk))+" ORDER BY id", anys(chunk)...)
		if err != nil {
			return err
		}
		if len(orgs) > 0 {
			found := idsOf(orgs, orgID)
			if err := fillOffersNeeds(r, in, orgs, "organisation_id IN "+inList(len(found)), anys(found)...); err != nil {
				return err
			}
		}
		cs.Organisations = append(cs.Organisations, orgs...)
	}
	cs.DeletedOrganisations = missing(ids, cs.Organisations, orgID)

	seen := map[string]bool{}
	addSpace := func() error {
		s, err := sc.space(in)
		if err == nil && !seen[s.ID] {
			seen[s.ID] = true
			cs.Spaces = append(cs.Spaces, s)
		}
		return err
	}
	ids = sortedKeys(ch.venues)
	for _, chunk := range chunks(ids, idChunk) {
		n := len(cs.Venues)
		err := r.each(vc.fields(), func() error {
			cs.Venues = append(cs.Venues, vc.venue(in))
			return nil
		}, "SELECT "+venueColumns+" FROM venues WHERE id IN "+inList(len(chunk))+" ORDER BY id", anys(chunk)...)
		if err != nil {
			return err
		}
		if found := idsOf(cs.Venues[n:], venueID); len(found) > 0 {
			err = r.each(sc.fields(), addSpace,
				"SELECT "+spaceColumns+" FROM spaces WHERE venue_id IN "+inList(len(found))+" ORDER BY id", anys(found)...)
			if err != nil {
				return err
			}
		}
	}
	cs.DeletedVenues = missing(ids, cs.Venues, venueID)

	var rest []string
	for _, id := range sortedKeys(ch.spaces) {
		if !seen[id] {
			rest = append(rest, id)
		}
	}
	n := len(cs.Spaces)
	for _, chunk := range chunks(rest, idChunk) {
		err := r.each(sc.fields(), addSpace,
			"SELECT "+spaceColumns+" FROM spaces WHERE id IN "+inList(len(chunk))+" ORDER BY id", anys(chunk)...)
		if err != nil {
			return err
		}
	}
	cs.DeletedSpaces = missing(rest, cs.Spaces[n:], spaceID)
	return db.loadBooked(r, cs)
}

// loadBooked sets the confirmed booked periods of every space in cs (an
// empty list for a space with none, so the reader drops what it had):
// bookings are written as changes to their space.
func (db *DB) loadBooked(r rowReader, cs *matching.ChangeSet) error {
	if len(cs.Spaces) == 0 {
		return nil
	}
	cs.Bookings = make(map[string][]matching.Session, len(cs.Spaces))
	ids := idsOf(cs.Spaces, spaceID)
	for _, id := range ids {
		cs.Bookings[id] = nil
	}
	since, sinceArgs := db.bookedSince()
	for _, chunk := range chunks(ids, idChunk) {
		err := readBooked(r, func(id string, periods []matching.Session) error {
			cs.Bookings[id] = periods
			return nil
		}, " AND space_id IN "+inList(len(chunk))+since, append(anys(chunk), sinceArgs...)...)
		if err != nil {
			return err
		}
	}
	return nil
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func orgID(o *matching.Organisation) string { return o.ID }
func venueID(v *matching.Venue) string      { return v.ID }
func spaceID(s *matching.Space) string      { return s.ID }

func idsOf[T any](items []T, id func(*T) string) []string {
	out := make([]string, len(items))
	for i := range items {
		out[i] = id(&items[i])
	}
	return out
}

// missing returns the IDs of want that no item has, in want's order.
func missing[T any](want []string, items []T, id func(*T) string) []string {
	found := make(map[string]bool, len(items))
	for i := range items {
		found[id(&items[i])] = true
	}
	var out []string
	for _, w := range want {
		if !found[w] {
			out = append(out, w)
		}
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// PruneChanges deletes the change_log rows written more than keep ago (by
// the store's clock), so the log stays bounded; run it now and then, from
// any replica. It deletes whole revisions, oldest first, and remembers
// the newest it deleted; a reader still behind that revision is told to
// reload by ChangesSince. Keep it well above the interval at which readers
// poll (minutes, not seconds).
func (db *DB) PruneChanges(ctx context.Context, keep time.Duration) error {
	cutoff := db.now().Add(-keep).UTC().Truncate(time.Microsecond)
	return translate(db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var through *int64
		if err := tx.Raw("SELECT MAX(revision) FROM change_log WHERE changed_at < ?", cutoff).Scan(&through).Error; err != nil {
			return err
		}
		if through == nil {
			return nil
		}
		// By revision, not time: replicas' clocks differ, and the pruned
		// rows must be a prefix of the log. Every revision up to through
		// has committed (revisions commit in order).
		if err := tx.Exec("DELETE FROM change_log WHERE revision <= ?", *through).Error; err != nil {
			return err
		}
		// Last, as with writes: the counter row stays locked until commit.
		return tx.Exec("UPDATE change_counter SET pruned_through = ? WHERE id = 1 AND pruned_through < ?", *through, *through).Error
	}), "prune changes")
}
