package store

import (
	"context"
	"time"

	"commonground/matching"
)

// ChangeLog reads, in one consistent read transaction, when each entity
// last changed as far as change_log tells, through revision through (the
// revision of a snapshot the caller holds; a larger value reads to the
// current revision). Batch loads and the revisions already pruned set the
// floor (see matching.ChangeLog). Errors are the database's.
func (db *DB) ChangeLog(ctx context.Context, through int64) (*matching.ChangeLog, error) {
	cl := &matching.ChangeLog{
		Organisations: map[string]matching.LoggedChange{},
		Venues:        map[string]matching.LoggedChange{},
		Spaces:        map[string]matching.LoggedChange{},
	}
	err := db.readRows(ctx, func(r rowReader) error {
		c, err := readCounterRow(r)
		if err != nil {
			return err
		}
		cl.Revision = min(through, c.revision)
		cl.Floor = c.prunedThrough
		var (
			rev      int64
			kind, id string
			at       time.Time
		)
		err = r.each([]any{&rev, &kind, &id, &at}, func() error {
			lc := matching.LoggedChange{Revision: rev, At: at.UTC()}
			if cl.FloorAt.IsZero() && cl.Floor > 0 {
				// The pruned revisions came before the oldest kept one:
				// its time is a bound on theirs.
				cl.FloorAt = lc.At
			}
			switch kind {
			case changeOrganisation:
				cl.Organisations[id] = lc
			case changeVenue:
				cl.Venues[id] = lc
			case changeSpace:
				cl.Spaces[id] = lc
			default: // changeBulk, or a kind this version does not know
				cl.Floor, cl.FloorAt = rev, lc.At
			}
			return nil
		}, "SELECT revision, kind, entity_id, changed_at FROM change_log WHERE revision > ? AND revision <= ? ORDER BY revision",
			c.prunedThrough, cl.Revision)
		return err
	})
	if err != nil {
		return nil, translate(err, "change log")
	}
	return cl, nil
}
