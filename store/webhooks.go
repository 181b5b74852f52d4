package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"commonground/matching"
)

// Webhooks are kept with their signing secrets in the clear: the store must
// sign every delivery with it, so unlike a token it cannot keep only a hash.

type webhookRow struct {
	ID             string `gorm:"primaryKey"`
	OrganisationID string
	URL            string
	Events         jsonColumn[[]string]
	Secret         string
	CreatedBy      *string
	CreatedAt      time.Time
}

func (webhookRow) TableName() string { return "webhooks" }

type webhookDeliveryRow struct {
	ID          string `gorm:"primaryKey"`
	WebhookID   string
	EventID     string
	MessageID   string
	Event       string
	Attempt     int
	Status      int
	Error       string
	DurationMs  int64
	AttemptedAt time.Time
}

func (webhookDeliveryRow) TableName() string { return "webhook_deliveries" }

func toWebhookRow(w *matching.Webhook) webhookRow {
	r := webhookRow{ID: w.ID, OrganisationID: w.OrganisationID, URL: w.URL,
		Events: jsonColumn[[]string]{nonNil(w.Events)}, Secret: w.Secret, CreatedAt: utc(w.CreatedAt)}
	if w.CreatedBy != "" {
		r.CreatedBy = &w.CreatedBy
	}
	return r
}

func toWebhook(r *webhookRow) matching.Webhook {
	w := matching.Webhook{ID: r.ID, OrganisationID: r.OrganisationID, URL: r.URL, Events: nonNil(r.Events.V),
		Secret: r.Secret, CreatedAt: r.CreatedAt.UTC()}
	if r.CreatedBy != nil {
		w.CreatedBy = *r.CreatedBy
	}
	return w
}

func toWebhookDelivery(r *webhookDeliveryRow) matching.WebhookDelivery {
	return matching.WebhookDelivery{ID: r.ID, WebhookID: r.WebhookID, EventID: r.EventID, MessageID: r.MessageID,
		Event: r.Event, Attempt: r.Attempt, Status: r.Status, Error: r.Error,
		Duration: time.Duration(r.DurationMs) * time.Millisecond, AttemptedAt: r.AttemptedAt.UTC()}
}

// CreateWebhook saves a new webhook with its secret. w.CreatedAt is set
// to now when zero. It returns an error wrapping matching.ErrConflict when
// the organisation (or the creating person) does not exist, or the ID is
// taken.
func (db *DB) CreateWebhook(ctx context.Context, w *matching.Webhook) error {
	if w.CreatedAt.IsZero() {
		w.CreatedAt = utc(db.now())
	}
	row := toWebhookRow(w)
	return translate(db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		return nil, tx.Create(&row).Error
	}), "webhook")
}

// ListWebhooks returns an organisation's webhooks, oldest first, with
// their secrets (the API leaves them out).
func (db *DB) ListWebhooks(ctx context.Context, orgID string) ([]matching.Webhook, error) {
	var rows []webhookRow
	err := db.gorm.WithContext(ctx).Where("organisation_id = ?", orgID).Order("created_at, id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "webhooks")
	}
	out := make([]matching.Webhook, len(rows))
	for i := range rows {
		out[i] = toWebhook(&rows[i])
	}
	return out, nil
}

// GetWebhook returns the webhook id of organisation orgID ("" for any
// organisation), with its secret. It returns an error wrapping
// matching.ErrNotFound when there is no such webhook, or it belongs to
// another organisation.
func (db *DB) GetWebhook(ctx context.Context, orgID, id string) (*matching.Webhook, error) {
	q := db.gorm.WithContext(ctx).Where("id = ?", id)
	if orgID != "" {
		q = q.Where("organisation_id = ?", orgID)
	}
	var row webhookRow
	if err := q.Take(&row).Error; err != nil {
		return nil, translate(err, "webhook "+id)
	}
	w := toWebhook(&row)
	return &w, nil
}

// DeleteWebhook deletes the webhook id of organisation orgID, and its
// deliveries log; deliveries waiting to be retried are dropped. It returns
// an error wrapping matching.ErrNotFound when there is no such webhook, or
// it belongs to another organisation.
func (db *DB) DeleteWebhook(ctx context.Context, orgID, id string) error {
	return translate(db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		res := tx.Where("id = ? AND organisation_id = ?", id, orgID).Delete(&webhookRow{})
		if res.Error == nil && res.RowsAffected == 0 {
			return nil, fmt.Errorf("no such webhook: %w", matching.ErrNotFound)
		}
		return nil, res.Error
	}), "webhook "+id)
}

// RecordDelivery logs one delivery attempt. d.AttemptedAt is set to now
// when zero. It returns an error wrapping matching.ErrConflict when the
// webhook no longer exists.
func (db *DB) RecordDelivery(ctx context.Context, d *matching.WebhookDelivery) error {
	if d.AttemptedAt.IsZero() {
		d.AttemptedAt = utc(db.now())
	}
	row := webhookDeliveryRow{ID: d.ID, WebhookID: d.WebhookID, EventID: d.EventID, MessageID: d.MessageID,
		Event: d.Event, Attempt: d.Attempt, Status: d.Status, Error: d.Error,
		DurationMs: d.Duration.Milliseconds(), AttemptedAt: utc(d.AttemptedAt)}
	return translate(db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		return nil, tx.Create(&row).Error
	}), "webhook delivery")
}

// ListDeliveries returns a webhook's delivery attempts newest first (ties
// in time by ID, greatest first): those after the attempt page.AfterID
// names, at most page.Limit of them (0: every one). It does not check the
// webhook exists or who asks.
func (db *DB) ListDeliveries(ctx context.Context, hookID string, page matching.Page) ([]matching.WebhookDelivery, error) {
	q := db.gorm.WithContext(ctx).Where("webhook_id = ?", hookID)
	q = keysetPage(q, "webhook_deliveries", "attempted_at", true, page)
	var rows []webhookDeliveryRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err, "webhook deliveries")
	}
	out := make([]matching.WebhookDelivery, len(rows))
	for i := range rows {
		out[i] = toWebhookDelivery(&rows[i])
	}
	return out, nil
}

// WebhooksFor returns the webhooks of the organisations orgIDs that are
// sent event (those naming it, and those with no list of events), oldest
// first, with their secrets.
func (db *DB) WebhooksFor(ctx context.Context, orgIDs []string, event string) ([]matching.Webhook, error) {
	if len(orgIDs) == 0 {
		return nil, nil
	}
	var rows []webhookRow
	err := db.gorm.WithContext(ctx).Where("organisation_id IN ?", orgIDs).Order("created_at, id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "webhooks")
	}
	var out []matching.Webhook
	for i := range rows {
		if w := toWebhook(&rows[i]); w.Wants(event) {
			out = append(out, w)
		}
	}
	return out, nil
}

// outboxEventRow is an events row as the deliveries read it.
type outboxEventRow struct {
	ID                  string
	Event               string
	SubjectType         string
	SubjectID           string
	Summary             string
	Data                string
	ActorOrganisationID string
	CreatedAt           time.Time
}

// GetEvent returns the event id and the organisations it concerns (those
// with it in their inbox), in ID order. It returns an error wrapping
// matching.ErrNotFound when there is no such event.
func (db *DB) GetEvent(ctx context.Context, id string) (*matching.Event, []string, error) {
	g := db.gorm.WithContext(ctx)
	var rows []outboxEventRow
	err := g.Raw(`SELECT id, event, subject_type, subject_id, summary, data, actor_organisation_id, created_at
		FROM events WHERE id = ?`, id).Scan(&rows).Error
	if err != nil {
		return nil, nil, translate(err, "event "+id)
	}
	if len(rows) == 0 {
		return nil, nil, fmt.Errorf("event %s: %w", id, matching.ErrNotFound)
	}
	r := rows[0]
	var orgs []string
	err = g.Raw("SELECT DISTINCT organisation_id FROM notifications WHERE event_id = ? ORDER BY organisation_id", id).Scan(&orgs).Error
	if err != nil {
		return nil, nil, translate(err, "event "+id)
	}
	return &matching.Event{ID: r.ID, Event: r.Event, SubjectType: r.SubjectType, SubjectID: r.SubjectID,
		Summary: r.Summary, Data: []byte(r.Data), ActorOrganisationID: r.ActorOrganisationID,
		CreatedAt: r.CreatedAt.UTC()}, orgs, nil
}

// PruneDeliveries deletes the delivery attempts logged before before, and
// returns how many it deleted.
func (db *DB) PruneDeliveries(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		res := tx.Where("attempted_at < ?", utc(before)).Delete(&webhookDeliveryRow{})
		n = res.RowsAffected
		return nil, res.Error
	})
	return n, translate(err, "webhook deliveries")
}
