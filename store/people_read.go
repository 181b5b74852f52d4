package store

import (
	"context"
)

// EmailRecipients returns the distinct email addresses, in order, of the
// people of the organisations orgIDs who have email notifications on.
func (db *DB) EmailRecipients(ctx context.Context, orgIDs []string) ([]string, error) {
	if len(orgIDs) == 0 {
		return nil, nil
	}
	var out []string
	err := db.gorm.WithContext(ctx).Raw(`SELECT DISTINCT p.email FROM people p
		JOIN memberships m ON m.person_id = p.id
		WHERE m.organisation_id IN ? AND p.email_notifications ORDER BY p.email`, orgIDs).Scan(&out).Error
	if err != nil {
		return nil, translate(err, "email recipients")
	}
	return out, nil
}
