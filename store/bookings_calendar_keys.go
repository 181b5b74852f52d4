package store

import (
	"context"
	"time"

	"gorm.io/gorm"
)

type calendarKeyRow struct {
	OrganisationID string `gorm:"primaryKey"`
	KeyHash        string
	CreatedAt      time.Time
}

func (calendarKeyRow) TableName() string { return "calendar_keys" }

// SetCalendarKey makes hash (the SHA-256 hex of a new calendar key) the
// organisation's only calendar key, voiding the one before, and records
// the change in the audit log in the same transaction. Errors wrap
// matching.ErrNotFound when the organisation does not exist.
func (db *DB) SetCalendarKey(ctx context.Context, orgID, hash string) error {
	now := db.now().UTC().Truncate(time.Microsecond)
	return translate(db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("organisation_id = ?", orgID).Delete(&calendarKeyRow{}).Error; err != nil {
			return err
		}
		if err := tx.Create(&calendarKeyRow{OrganisationID: orgID, KeyHash: hash, CreatedAt: now}).Error; err != nil {
			return err
		}
		return db.recordAudit(tx)
	}), "organisation "+orgID)
}

// CalendarKeyMatches reports whether hash is the SHA-256 hex of the
// organisation's current calendar key. An organisation without a key, or
// one that does not exist, matches nothing.
func (db *DB) CalendarKeyMatches(ctx context.Context, orgID, hash string) (bool, error) {
	var n int64
	err := db.gorm.WithContext(ctx).Model(&calendarKeyRow{}).
		Where("organisation_id = ? AND key_hash = ?", orgID, hash).Count(&n).Error
	if err != nil {
		return false, translate(err, "calendar key")
	}
	return n > 0, nil
}
