package store

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"commonground/matching"
)

// RecordEvent keeps ev in the outbox, in one transaction with a
// notification for each organisation in recipients and the job that
// delivers it (EventJob). ev.ID is made when empty, ev.CreatedAt set to now
// when zero and ev.Data to {} when empty. It is for callers outside a
// store write (tools, tests); writes that cause events record them in
// their own transactions. It returns an error wrapping
// matching.ErrConflict when a recipient organisation does not exist or the
// ID is taken.
func (db *DB) RecordEvent(ctx context.Context, ev *matching.Event, recipients []string) error {
	if ev.ID == "" {
		ev.ID = uuid.Must(uuid.NewV7()).String()
	}
	if ev.CreatedAt.IsZero() {
		ev.CreatedAt = db.now()
	}
	ev.CreatedAt = utc(ev.CreatedAt)
	if len(ev.Data) == 0 {
		ev.Data = []byte("{}")
	}
	return translate(db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		err := tx.Exec(`INSERT INTO events (id, event, subject_type, subject_id, summary, data, actor_organisation_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, ev.ID, ev.Event, ev.SubjectType, ev.SubjectID, ev.Summary,
			string(ev.Data), ev.ActorOrganisationID, ev.CreatedAt).Error
		if err != nil {
			return nil, err
		}
		for _, org := range recipients {
			err := tx.Exec("INSERT INTO notifications (id, event_id, organisation_id, created_at) VALUES (?, ?, ?, ?)",
				uuid.Must(uuid.NewV7()).String(), ev.ID, org, ev.CreatedAt).Error
			if err != nil {
				return nil, err
			}
		}
		return nil, db.enqueue(tx, EventJob{EventID: ev.ID})
	}), "event")
}
