package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"commonground/matching"
)

// inboxColumns selects a notification joined with its event (n, e) as
// inboxRow's columns.
const inboxColumns = `SELECT n.id AS id, n.organisation_id AS organisation_id, n.created_at AS created_at, n.read_at AS read_at,
	e.id AS event_id, e.event AS event, e.subject_type AS subject_type, e.subject_id AS subject_id, e.summary AS summary,
	e.data AS data, e.actor_organisation_id AS actor_organisation_id, e.created_at AS event_created_at
	FROM notifications n JOIN events e ON e.id = n.event_id`

type inboxRow struct {
	ID                  string
	OrganisationID      string
	CreatedAt           time.Time
	ReadAt              *time.Time
	EventID             string
	Event               string
	SubjectType         string
	SubjectID           string
	Summary             string
	Data                string
	ActorOrganisationID string
	EventCreatedAt      time.Time
}

func toNotification(r *inboxRow) matching.Notification {
	n := matching.Notification{ID: r.ID, OrganisationID: r.OrganisationID, CreatedAt: utc(r.CreatedAt),
		Event: matching.Event{ID: r.EventID, Event: r.Event, SubjectType: r.SubjectType, SubjectID: r.SubjectID,
			Summary: r.Summary, Data: []byte(r.Data), ActorOrganisationID: r.ActorOrganisationID, CreatedAt: utc(r.EventCreatedAt)}}
	if r.ReadAt != nil {
		t := utc(*r.ReadAt)
		n.ReadAt = &t
	}
	return n
}

// ListNotifications returns orgID's inbox newest first (ties in time by
// ID, greatest first), only the unread ones with unreadOnly: those after
// the notification page.AfterID names, at most page.Limit (0: every one).
// Errors are the database's.
func (db *DB) ListNotifications(ctx context.Context, orgID string, unreadOnly bool, page matching.Page) ([]matching.Notification, error) {
	q := inboxColumns + " WHERE n.organisation_id = ?"
	args := []any{orgID}
	if unreadOnly {
		q += " AND n.read_at IS NULL"
	}
	if a := page.AfterID; a != "" {
		const at = "(SELECT created_at FROM notifications WHERE id = ?)"
		q += " AND (n.created_at < " + at + " OR (n.created_at = " + at + " AND n.id < ?))"
		args = append(args, a, a, a)
	}
	q += " ORDER BY n.created_at DESC, n.id DESC"
	if page.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", page.Limit)
	}
	var rows []inboxRow
	if err := db.gorm.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, translate(err, "notifications")
	}
	out := make([]matching.Notification, len(rows))
	for i := range rows {
		out[i] = toNotification(&rows[i])
	}
	return out, nil
}

// MarkNotificationRead marks orgID's notification id read at at, unless
// it was read already (the first reading stays), and returns it. It
// returns an error wrapping matching.ErrNotFound when orgID has no such
// notification, whoever else may.
func (db *DB) MarkNotificationRead(ctx context.Context, orgID, id string, at time.Time) (*matching.Notification, error) {
	var out *matching.Notification
	err := db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		err := tx.Exec("UPDATE notifications SET read_at = ? WHERE id = ? AND organisation_id = ? AND read_at IS NULL",
			utc(at), id, orgID).Error
		if err != nil {
			return nil, err
		}
		var rows []inboxRow
		if err := tx.Raw(inboxColumns+" WHERE n.id = ? AND n.organisation_id = ?", id, orgID).Scan(&rows).Error; err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			return nil, gorm.ErrRecordNotFound
		}
		n := toNotification(&rows[0])
		out = &n
		return nil, nil
	})
	if err != nil {
		return nil, translate(err, "notification "+id)
	}
	return out, nil
}

type messageRow struct {
	ID             string `gorm:"primaryKey"`
	SubjectType    string
	SubjectID      string
	OrganisationID string
	PersonID       *string
	AuthorName     string
	Body           string
	CreatedAt      time.Time
}

func (messageRow) TableName() string { return "messages" }

func toMessage(r *messageRow) matching.Message {
	m := matching.Message{ID: r.ID, SubjectType: r.SubjectType, SubjectID: r.SubjectID, OrganisationID: r.OrganisationID,
		AuthorName: r.AuthorName, Body: r.Body, CreatedAt: utc(r.CreatedAt)}
	if r.PersonID != nil {
		m.PersonID = *r.PersonID
	}
	return m
}

// parties returns the two organisations of a booking (the requester and
// the space's owner) or a partnership, read in tx; gorm.ErrRecordNotFound
// when there is no such subject.
func parties(tx *gorm.DB, subjectType, subjectID string) ([]string, error) {
	var a, b string
	var q string
	switch subjectType {
	case matching.SubjectBooking:
		q = "SELECT b.organisation_id, s.organisation_id FROM bookings b JOIN spaces s ON s.id = b.space_id WHERE b.id = ?"
	case matching.SubjectPartnership:
		q = "SELECT proposer_id, partner_id FROM partnerships WHERE id = ?"
	default:
		return nil, gorm.ErrRecordNotFound
	}
	if err := tx.Raw(q, subjectID).Row().Scan(&a, &b); err != nil {
		return nil, err
	}
	return []string{a, b}, nil
}

// PostMessage adds m, from m.OrganisationID, to its booking's or
// partnership's messages, and tells the other party (message.posted), in
// one transaction. It fills in m's ID and CreatedAt (the store's clock),
// and its AuthorName, when empty, with the organisation's name. It returns
// a *matching.ValidationError for a bad message (see Message.Validate),
// and an error wrapping matching.ErrNotFound when the subject does not
// exist or m.OrganisationID is not party to it.
func (db *DB) PostMessage(ctx context.Context, m *matching.Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	err := db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		ps, err := parties(tx, m.SubjectType, m.SubjectID)
		if err != nil {
			return nil, err
		}
		if m.OrganisationID == "" || !slices.Contains(ps, m.OrganisationID) {
			return nil, gorm.ErrRecordNotFound
		}
		ns, err := names(tx, m.OrganisationID)
		if err != nil {
			return nil, err
		}
		org := nameOr(ns, m.OrganisationID)
		if m.AuthorName == "" {
			m.AuthorName = org
		}
		if m.ID == "" {
			m.ID = uuid.Must(uuid.NewV7()).String()
		}
		m.CreatedAt = utc(db.now())
		row := messageRow{ID: m.ID, SubjectType: m.SubjectType, SubjectID: m.SubjectID, OrganisationID: m.OrganisationID,
			AuthorName: m.AuthorName, Body: m.Body, CreatedAt: m.CreatedAt}
		if m.PersonID != "" {
			row.PersonID = &m.PersonID
		}
		if err := tx.Create(&row).Error; err != nil {
			return nil, err
		}
		var others []string
		for _, p := range ps {
			if p != m.OrganisationID {
				others = append(others, p)
			}
		}
		return nil, db.emit(tx, &matching.Event{Event: matching.EventMessagePosted, SubjectType: m.SubjectType, SubjectID: m.SubjectID,
			Summary: org + ": " + clipText(m.Body, 80), CreatedAt: m.CreatedAt,
			Data: eventData(map[string]any{"message_id": m.ID, "subject_type": m.SubjectType, "subject_id": m.SubjectID,
				"organisation_id": m.OrganisationID, "author_name": m.AuthorName})}, others)
	})
	return translate(err, m.SubjectType+" "+m.SubjectID)
}

// ListMessages returns the messages about a booking or partnership oldest
// first (ties in time by ID): those after the message page.AfterID names,
// at most page.Limit (0: every one). It does not check the subject exists
// or who asks. Errors are the database's.
func (db *DB) ListMessages(ctx context.Context, subjectType, subjectID string, page matching.Page) ([]matching.Message, error) {
	q := db.gorm.WithContext(ctx).Where("subject_type = ? AND subject_id = ?", subjectType, subjectID)
	q = keysetPage(q, "messages", "created_at", false, page)
	var rows []messageRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err, "messages")
	}
	out := make([]matching.Message, len(rows))
	for i := range rows {
		out[i] = toMessage(&rows[i])
	}
	return out, nil
}
