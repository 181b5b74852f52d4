package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"commonground/matching"
)

// People, memberships, sessions and API keys. Tokens of every kind are
// kept as their hashes only (the API hashes them); a password as its
// argon2id PHC string.

type personRow struct {
	ID                 string `gorm:"primaryKey"`
	Name               string
	Email              string
	PasswordHash       string
	EmailNotifications bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (personRow) TableName() string { return "people" }

type membershipRow struct {
	OrganisationID string `gorm:"primaryKey"`
	PersonID       string `gorm:"primaryKey"`
	Role           string
	CreatedAt      time.Time
}

func (membershipRow) TableName() string { return "memberships" }

type sessionRow struct {
	ID        string `gorm:"primaryKey"`
	TokenHash string
	PersonID  string
	CreatedAt time.Time
	ExpiresAt time.Time
}

func (sessionRow) TableName() string { return "auth_sessions" }

type apiKeyRow struct {
	ID             string `gorm:"primaryKey"`
	OrganisationID string
	Name           string
	TokenHash      string
	CreatedBy      *string
	CreatedAt      time.Time
	LastUsedAt     *time.Time
}

func (apiKeyRow) TableName() string { return "api_keys" }

func toPerson(r *personRow) matching.Person {
	return matching.Person{ID: r.ID, Name: r.Name, Email: r.Email, EmailNotifications: r.EmailNotifications, CreatedAt: r.CreatedAt}
}

func toMembership(r *membershipRow) matching.Membership {
	return matching.Membership{OrganisationID: r.OrganisationID, PersonID: r.PersonID, Role: matching.Role(r.Role), CreatedAt: r.CreatedAt}
}

func toAPIKey(r *apiKeyRow) matching.APIKey {
	k := matching.APIKey{ID: r.ID, OrganisationID: r.OrganisationID, Name: r.Name, CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt}
	if r.CreatedBy != nil {
		k.CreatedBy = *r.CreatedBy
	}
	return k
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// RegisterOrganisation inserts an organisation with its offers and needs,
// its first API key (reg.KeyID, reg.KeyHash) and, when reg names one, its
// first admin, all in one transaction. It returns an error wrapping
// matching.ErrConflict if the organisation's ID or the admin's email is
// taken, or matching.ErrNotFound if reg.AdminID names nobody.
func (db *DB) RegisterOrganisation(ctx context.Context, o *matching.Organisation, reg matching.Registration) error {
	row := toOrganisationRow(o)
	if reg.KeyHash != "" {
		// Kept for a rollback to a release that reads it; never read.
		row.TokenHash = &reg.KeyHash
	}
	return translate(db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		if err := tx.Create(&row).Error; err != nil {
			return nil, err
		}
		if err := insertOffersNeeds(tx, o.Offers, o.Needs); err != nil {
			return nil, err
		}
		if reg.KeyHash != "" {
			key := apiKeyRow{ID: reg.KeyID, OrganisationID: o.ID, Name: "registration", TokenHash: reg.KeyHash,
				CreatedBy: optional(reg.AdminID), CreatedAt: o.CreatedAt}
			if err := tx.Create(&key).Error; err != nil {
				return nil, err
			}
		}
		adminID := reg.AdminID
		if p := reg.NewAdmin; p != nil {
			if err := emailFree(tx, p.Email); err != nil {
				return nil, err
			}
			pr := personRow{ID: p.ID, Name: p.Name, Email: p.Email, PasswordHash: reg.PasswordHash,
				EmailNotifications: p.EmailNotifications, CreatedAt: p.CreatedAt, UpdatedAt: p.CreatedAt}
			if err := tx.Create(&pr).Error; err != nil {
				return nil, err
			}
			adminID = p.ID
		}
		if adminID != "" {
			m := membershipRow{OrganisationID: o.ID, PersonID: adminID, Role: string(matching.RoleAdmin), CreatedAt: o.CreatedAt}
			if err := tx.Create(&m).Error; err != nil {
				return nil, err
			}
		}
		return changed1(changeOrganisation, o.ID), nil
	}), "organisation")
}

// Credential returns what the token hashing to hash stands for: an API key
// or a session (with the person's memberships; the caller checks its
// ExpiresAt). Its error wraps matching.ErrNotFound when no key or session
// has that hash.
func (db *DB) Credential(ctx context.Context, hash string) (*matching.Credential, error) {
	g := db.gorm.WithContext(ctx)
	var keys []apiKeyRow
	if err := g.Where("token_hash = ?", hash).Limit(1).Find(&keys).Error; err != nil {
		return nil, translate(err, "token")
	}
	if len(keys) == 1 {
		k := keys[0]
		return &matching.Credential{Kind: matching.PrincipalKey, KeyID: k.ID, KeyName: k.Name, OrganisationID: k.OrganisationID, KeyLastUsedAt: k.LastUsedAt}, nil
	}
	var s sessionRow
	if err := g.Where("token_hash = ?", hash).Take(&s).Error; err != nil {
		return nil, translate(err, "token")
	}
	p, ms, err := db.GetPerson(ctx, s.PersonID)
	if err != nil {
		return nil, err
	}
	return &matching.Credential{Kind: matching.PrincipalPerson, SessionID: s.ID, Person: *p, Memberships: ms, ExpiresAt: s.ExpiresAt}, nil
}

// TouchAPIKey records that key id was used at at, unless it was recorded
// as used within the minute before: a key in steady use costs a write a
// minute, not one a request.
func (db *DB) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	err := db.gorm.WithContext(ctx).Model(&apiKeyRow{}).
		Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", id, at.Add(-time.Minute)).
		UpdateColumn("last_used_at", at).Error
	return translate(err, "API key")
}

// GetPerson returns a person and their memberships, or an error wrapping
// matching.ErrNotFound.
func (db *DB) GetPerson(ctx context.Context, id string) (*matching.Person, []matching.Membership, error) {
	g := db.gorm.WithContext(ctx)
	var r personRow
	if err := g.Take(&r, "id = ?", id).Error; err != nil {
		return nil, nil, translate(err, "person")
	}
	var rows []membershipRow
	if err := g.Where("person_id = ?", id).Order("created_at, organisation_id").Find(&rows).Error; err != nil {
		return nil, nil, translate(err, "memberships")
	}
	p := toPerson(&r)
	ms := make([]matching.Membership, len(rows))
	for i := range rows {
		ms[i] = toMembership(&rows[i])
	}
	return &p, ms, nil
}

// PersonByEmail returns the person with that (lowercased) email and their
// password's hash, or an error wrapping matching.ErrNotFound.
func (db *DB) PersonByEmail(ctx context.Context, email string) (*matching.Person, string, error) {
	var r personRow
	if err := db.gorm.WithContext(ctx).Take(&r, "email = ?", email).Error; err != nil {
		return nil, "", translate(err, "person")
	}
	p := toPerson(&r)
	return &p, r.PasswordHash, nil
}

// UpdatePerson applies edit to a person's name and email_notifications in
// one transaction and returns the result.
func (db *DB) UpdatePerson(ctx context.Context, id string, edit func(p *matching.Person) error) (*matching.Person, error) {
	var out matching.Person
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r personRow
		if err := lockRow(tx).Take(&r, "id = ?", id).Error; err != nil {
			return err
		}
		p := toPerson(&r)
		if err := edit(&p); err != nil {
			return err
		}
		now := db.now().UTC().Truncate(time.Microsecond)
		err := tx.Model(&personRow{}).Where("id = ?", id).
			Updates(map[string]any{"name": p.Name, "email_notifications": p.EmailNotifications, "updated_at": now}).Error
		out = p
		return err
	})
	if err != nil {
		return nil, translate(err, "person")
	}
	return &out, nil
}

// lockRow makes a read lock its rows until the transaction ends, on
// PostgreSQL; SQLite's writers take turns anyway.
func lockRow(tx *gorm.DB) *gorm.DB {
	if tx.Dialector.Name() == "postgres" {
		return tx.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return tx
}

// CreateSession starts a session for a person.
func (db *DB) CreateSession(ctx context.Context, id, hash, personID string, expires time.Time) error {
	row := sessionRow{ID: id, TokenHash: hash, PersonID: personID, CreatedAt: db.now().UTC().Truncate(time.Microsecond), ExpiresAt: expires.UTC()}
	return translate(db.gorm.WithContext(ctx).Create(&row).Error, "session")
}

// EndSession ends the session whose token hashes to hash; ending one that
// has ended is not an error.
func (db *DB) EndSession(ctx context.Context, hash string) error {
	return translate(db.gorm.WithContext(ctx).Where("token_hash = ?", hash).Delete(&sessionRow{}).Error, "session")
}

// CreateAPIKey adds a key to an organisation.
func (db *DB) CreateAPIKey(ctx context.Context, k *matching.APIKey, hash string) error {
	row := apiKeyRow{ID: k.ID, OrganisationID: k.OrganisationID, Name: k.Name, TokenHash: hash,
		CreatedBy: optional(k.CreatedBy), CreatedAt: k.CreatedAt}
	return translate(db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return db.recordAudit(tx)
	}), "API key")
}

// ListAPIKeys returns an organisation's keys, oldest first.
func (db *DB) ListAPIKeys(ctx context.Context, orgID string) ([]matching.APIKey, error) {
	var rows []apiKeyRow
	err := db.gorm.WithContext(ctx).Where("organisation_id = ?", orgID).Order("created_at, id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "API keys")
	}
	out := make([]matching.APIKey, len(rows))
	for i := range rows {
		out[i] = toAPIKey(&rows[i])
	}
	return out, nil
}

// RevokeAPIKey deletes an organisation's key; its error wraps
// matching.ErrNotFound when the organisation has no such key. Revoking the
// registration key also clears the copy of its hash kept for a rollback.
func (db *DB) RevokeAPIKey(ctx context.Context, orgID, keyID string) error {
	return translate(db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var k apiKeyRow
		if err := tx.Take(&k, "id = ? AND organisation_id = ?", keyID, orgID).Error; err != nil {
			return err
		}
		if err := tx.Delete(&apiKeyRow{}, "id = ?", keyID).Error; err != nil {
			return err
		}
		err := tx.Model(&organisationRow{}).Where("id = ? AND token_hash = ?", orgID, k.TokenHash).
			UpdateColumn("token_hash", nil).Error
		if err != nil {
			return err
		}
		return db.recordAudit(tx)
	}), "API key")
}

// ListMembers returns an organisation's members with their people, oldest
// membership first.
func (db *DB) ListMembers(ctx context.Context, orgID string) ([]matching.Member, error) {
	var rows []struct {
		OrganisationID     string
		PersonID           string
		Role               string
		CreatedAt          time.Time
		Name               string
		Email              string
		EmailNotifications bool
		PersonCreatedAt    time.Time
	}
	err := db.gorm.WithContext(ctx).Table("memberships AS m").
		Select("m.organisation_id, m.person_id, m.role, m.created_at, p.name, p.email, p.email_notifications, p.created_at AS person_created_at").
		Joins("JOIN people AS p ON p.id = m.person_id").
		Where("m.organisation_id = ?", orgID).Order("m.created_at, m.person_id").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "members")
	}
	out := make([]matching.Member, len(rows))
	for i, r := range rows {
		out[i] = matching.Member{
			Membership: matching.Membership{OrganisationID: r.OrganisationID, PersonID: r.PersonID, Role: matching.Role(r.Role), CreatedAt: r.CreatedAt},
			Person:     matching.Person{ID: r.PersonID, Name: r.Name, Email: r.Email, EmailNotifications: r.EmailNotifications, CreatedAt: r.PersonCreatedAt}}
	}
	return out, nil
}

// SetMemberRole changes a member's role. Its error wraps
// matching.ErrNotFound for someone who is not a member, and
// matching.ErrConflict for demoting the last admin.
func (db *DB) SetMemberRole(ctx context.Context, orgID, personID string, role matching.Role) error {
	return translate(db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		m, err := db.lockMembers(tx, orgID, personID)
		if err != nil {
			return err
		}
		if m.Role == string(role) {
			return nil
		}
		if m.Role == string(matching.RoleAdmin) {
			if err := db.keepAnAdmin(tx, orgID, personID); err != nil {
				return err
			}
		}
		err = tx.Model(&membershipRow{}).Where("organisation_id = ? AND person_id = ?", orgID, personID).
			UpdateColumn("role", string(role)).Error
		if err != nil {
			return err
		}
		return db.recordAudit(tx)
	}), "member")
}

// RemoveMember ends a membership. Its error wraps matching.ErrNotFound for
// someone who is not a member, and matching.ErrConflict for the last admin.
func (db *DB) RemoveMember(ctx context.Context, orgID, personID string) error {
	return translate(db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		m, err := db.lockMembers(tx, orgID, personID)
		if err != nil {
			return err
		}
		if m.Role == string(matching.RoleAdmin) {
			if err := db.keepAnAdmin(tx, orgID, personID); err != nil {
				return err
			}
		}
		if err := tx.Delete(&membershipRow{}, "organisation_id = ? AND person_id = ?", orgID, personID).Error; err != nil {
			return err
		}
		return db.recordAudit(tx)
	}), "member")
}

// lockMembers locks the organisation's memberships (so two admins demoting
// each other at once cannot leave none) and returns personID's.
func (db *DB) lockMembers(tx *gorm.DB, orgID, personID string) (*membershipRow, error) {
	var rows []membershipRow
	if err := lockRow(tx).Where("organisation_id = ?", orgID).Find(&rows).Error; err != nil {
		return nil, err
	}
	for i := range rows {
		if rows[i].PersonID == personID {
			return &rows[i], nil
		}
	}
	return nil, gorm.ErrRecordNotFound
}

// keepAnAdmin fails with matching.ErrConflict unless the organisation has
// an admin other than personID.
func (db *DB) keepAnAdmin(tx *gorm.DB, orgID, personID string) error {
	var n int64
	err := tx.Model(&membershipRow{}).Where("organisation_id = ? AND role = ? AND person_id <> ?", orgID, string(matching.RoleAdmin), personID).
		Count(&n).Error
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: an organisation keeps at least one admin; make another member an admin first", matching.ErrConflict)
	}
	return nil
}

// emailFree fails with matching.ErrConflict when someone has the email.
func emailFree(tx *gorm.DB, email string) error {
	var n int64
	if err := tx.Model(&personRow{}).Where("email = ?", email).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%w: someone already has an account with this email; sign in instead", matching.ErrConflict)
	}
	return nil
}

// AddPeople adds people, all with the password hashing to passwordHash,
// and their memberships, in one transaction (the demo county's people).
// Its error wraps matching.ErrConflict when an email or ID is taken.
func (db *DB) AddPeople(ctx context.Context, people []matching.Person, memberships []matching.Membership, passwordHash string) error {
	if len(people) == 0 && len(memberships) == 0 {
		return nil
	}
	prs := make([]personRow, len(people))
	for i, p := range people {
		prs[i] = personRow{ID: p.ID, Name: p.Name, Email: p.Email, PasswordHash: passwordHash,
			EmailNotifications: p.EmailNotifications, CreatedAt: p.CreatedAt, UpdatedAt: p.CreatedAt}
	}
	mrs := make([]membershipRow, len(memberships))
	for i, m := range memberships {
		mrs[i] = membershipRow{OrganisationID: m.OrganisationID, PersonID: m.PersonID, Role: string(m.Role), CreatedAt: m.CreatedAt}
	}
	return translate(db.gorm.WithContext(WithoutTimeout(ctx)).Transaction(func(tx *gorm.DB) error {
		if len(prs) > 0 {
			if err := tx.CreateInBatches(prs, 500).Error; err != nil {
				return err
			}
		}
		if len(mrs) > 0 {
			return tx.CreateInBatches(mrs, 500).Error
		}
		return nil
	}), "people")
}

// DeletePerson deletes a person's account: their memberships, sessions
// and reset links go with it; keys, invitations and messages they made
// stay, no longer naming them (their messages are signed with the
// organisation's name). The audit log keeps who did what. Its error wraps matching.ErrNotFound for
// no such person, and matching.ErrConflict when they are the last admin of
// an organisation (which must keep one).
func (db *DB) DeletePerson(ctx context.Context, id string) error {
	return translate(db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ms []membershipRow
		if err := tx.Where("person_id = ? AND role = ?", id, string(matching.RoleAdmin)).Find(&ms).Error; err != nil {
			return err
		}
		for _, m := range ms {
			if _, err := db.lockMembers(tx, m.OrganisationID, id); err != nil {
				return err
			}
			if err := db.keepAnAdmin(tx, m.OrganisationID, id); err != nil {
				var name string
				tx.Model(&organisationRow{}).Select("name").Where("id = ?", m.OrganisationID).Scan(&name)
				return fmt.Errorf("%w: you are the last admin of %s; make another member an admin first", matching.ErrConflict, name)
			}
		}
		// Their messages stay, signed with the organisation's name.
		err := tx.Exec(`UPDATE messages SET author_name = (SELECT o.name FROM organisations o WHERE o.id = messages.organisation_id)
			WHERE person_id = ?`, id).Error
		if err != nil {
			return err
		}
		res := tx.Delete(&personRow{}, "id = ?", id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		return nil
	}), "person")
}
