package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"commonground/matching"
)

type invitationRow struct {
	ID             string `gorm:"primaryKey"`
	OrganisationID string
	Email          string
	Role           string
	TokenHash      string
	InvitedBy      *string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	AcceptedAt     *time.Time
}

func (invitationRow) TableName() string { return "invitations" }

type passwordResetRow struct {
	TokenHash string `gorm:"primaryKey"`
	PersonID  string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (passwordResetRow) TableName() string { return "password_resets" }

func toInvitation(r *invitationRow) matching.Invitation {
	inv := matching.Invitation{ID: r.ID, OrganisationID: r.OrganisationID, Email: r.Email, Role: matching.Role(r.Role),
		CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, AcceptedAt: r.AcceptedAt}
	if r.InvitedBy != nil {
		inv.InvitedBy = *r.InvitedBy
	}
	return inv
}

// CreateInvitation records an invitation whose token hashes to hash.
func (db *DB) CreateInvitation(ctx context.Context, inv *matching.Invitation, hash string) error {
	row := invitationRow{ID: inv.ID, OrganisationID: inv.OrganisationID, Email: inv.Email, Role: string(inv.Role),
		TokenHash: hash, InvitedBy: optional(inv.InvitedBy), CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt}
	return translate(db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return db.recordAudit(tx)
	}), "invitation")
}

// InvitationEmail returns the email the invitation whose token hashes to
// hash was sent to; its error wraps matching.ErrNotFound for none, and is
// ErrInvitationUsed for one used or expired.
func (db *DB) InvitationEmail(ctx context.Context, hash string, now time.Time) (string, error) {
	var inv invitationRow
	if err := db.gorm.WithContext(ctx).Take(&inv, "token_hash = ?", hash).Error; err != nil {
		return "", translate(err, "invitation")
	}
	if inv.AcceptedAt != nil || !now.Before(inv.ExpiresAt) {
		return "", ErrInvitationUsed
	}
	return inv.Email, nil
}

// ErrInvitationUsed is an invitation accepted before, or expired.
var ErrInvitationUsed = fmt.Errorf("%w: this invitation has been used or has expired; ask for a new one", matching.ErrConflict)

// AcceptInvitation uses the invitation whose token hashes to hash, once,
// if it has not expired by now:
// it makes newPerson (with the password's hash) when given, and adds the
// membership for personID (newPerson's, or an existing person's). It
// returns the membership. Its error wraps matching.ErrNotFound for no such
// invitation, is ErrInvitationUsed for one used or expired, and wraps
// matching.ErrConflict when the person is already a member or newPerson's
// email has an account.
func (db *DB) AcceptInvitation(ctx context.Context, hash string, now time.Time, newPerson *matching.Person, passwordHash, personID string) (*matching.Membership, error) {
	var out matching.Membership
	now = now.UTC().Truncate(time.Microsecond)
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var inv invitationRow
		if err := lockRow(tx).Take(&inv, "token_hash = ?", hash).Error; err != nil {
			return err
		}
		if inv.AcceptedAt != nil || !now.Before(inv.ExpiresAt) {
			return ErrInvitationUsed
		}
		res := tx.Model(&invitationRow{}).Where("id = ? AND accepted_at IS NULL", inv.ID).UpdateColumn("accepted_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrInvitationUsed
		}
		if p := newPerson; p != nil {
			if err := emailFree(tx, p.Email); err != nil {
				return err
			}
			pr := personRow{ID: p.ID, Name: p.Name, Email: p.Email, PasswordHash: passwordHash,
				EmailNotifications: p.EmailNotifications, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&pr).Error; err != nil {
				return err
			}
			personID = p.ID
		}
		var n int64
		if err := tx.Model(&membershipRow{}).Where("organisation_id = ? AND person_id = ?", inv.OrganisationID, personID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: you are already a member of this organisation", matching.ErrConflict)
		}
		m := membershipRow{OrganisationID: inv.OrganisationID, PersonID: personID, Role: inv.Role, CreatedAt: now}
		if err := tx.Create(&m).Error; err != nil {
			return err
		}
		out = toMembership(&m)
		return db.auditAs(tx, matching.Audit{OrganisationID: inv.OrganisationID, Action: "member.joined", SubjectType: "person", SubjectID: personID})
	})
	if err != nil {
		return nil, translate(err, "invitation")
	}
	return &out, nil
}

// CreatePasswordReset records a reset whose token hashes to hash.
func (db *DB) CreatePasswordReset(ctx context.Context, personID, hash string, expires time.Time) error {
	row := passwordResetRow{TokenHash: hash, PersonID: personID, CreatedAt: db.now().UTC().Truncate(time.Microsecond), ExpiresAt: expires.UTC().Truncate(time.Microsecond)}
	return translate(db.gorm.WithContext(ctx).Create(&row).Error, "password reset")
}

// ResetPassword uses the reset whose token hashes to hash, once, if it has
// not expired by now: it sets
// the person's password hash and ends every session they have, so whoever
// knew the old password is signed out. Its error wraps
// matching.ErrNotFound for a reset that does not exist, has been used or
// has expired.
func (db *DB) ResetPassword(ctx context.Context, hash, passwordHash string, now time.Time) error {
	now = now.UTC().Truncate(time.Microsecond)
	return translate(db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r passwordResetRow
		if err := lockRow(tx).Take(&r, "token_hash = ? AND used_at IS NULL AND expires_at > ?", hash, now).Error; err != nil {
			return err
		}
		res := tx.Model(&passwordResetRow{}).Where("token_hash = ? AND used_at IS NULL", hash).UpdateColumn("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return gorm.ErrRecordNotFound
		}
		err := tx.Model(&personRow{}).Where("id = ?", r.PersonID).
			Updates(map[string]any{"password_hash": passwordHash, "updated_at": now}).Error
		if err != nil {
			return err
		}
		return tx.Delete(&sessionRow{}, "person_id = ?", r.PersonID).Error
	}), "password reset")
}
