package store

import (
	"context"

	"gorm.io/gorm"

	"commonground/matching"
)

// RecordEvent keeps ev in the outbox, in one transaction with a
// notification for each organisation in recipients but the acting one
// (ev.ActorOrganisationID, or the context's principal's) and the job that
// delivers it (EventJob), as a store write that causes an event does. ev.ID is made when empty, ev.CreatedAt set to now
// when zero and ev.Data to {} when empty. It is for callers outside a
// store write (tools, tests); writes that cause events record them in
// their own transactions. It returns an error wrapping
// matching.ErrConflict when a recipient organisation does not exist or the
// ID is taken.
func (db *DB) RecordEvent(ctx context.Context, ev *matching.Event, recipients []string) error {
	return translate(db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		return nil, db.emit(tx, ev, recipients)
	}), "event")
}
