package storetest

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"commonground/store"
)

// InsertPerson adds a person with the given email to the organisation
// orgID as a member, with email notifications on or off, straight into the
// tables (no password that works), and returns the person's ID. It fails
// t on error.
func InsertPerson(t testing.TB, db *store.DB, orgID, email string, notifications bool) string {
	t.Helper()
	id := uuid.NewString()
	now := time.Now().UTC().Truncate(time.Microsecond)
	g := db.Gorm().WithContext(t.Context())
	err := g.Exec(`INSERT INTO people (id, name, email, password_hash, email_notifications, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, "Person "+email, email, "-", notifications, now, now).Error
	if err == nil {
		err = g.Exec("INSERT INTO memberships (organisation_id, person_id, role, created_at) VALUES (?, ?, 'member', ?)",
			orgID, id, now).Error
	}
	if err != nil {
		t.Fatalf("insert person %s: %v", email, err)
	}
	return id
}
