package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"commonground/matching"
	"commonground/notify"
)

// WebhookStore is what the webhooks API needs of the database.
type WebhookStore interface {
	CreateWebhook(ctx context.Context, w *matching.Webhook) error
	ListWebhooks(ctx context.Context, orgID string) ([]matching.Webhook, error)
	// GetWebhook and DeleteWebhook answer matching.ErrNotFound for a
	// webhook of another organisation.
	GetWebhook(ctx context.Context, orgID, id string) (*matching.Webhook, error)
	DeleteWebhook(ctx context.Context, orgID, id string) error
	// ListDeliveries lists a webhook's delivery attempts newest first.
	ListDeliveries(ctx context.Context, hookID string, page matching.Page) ([]matching.WebhookDelivery, error)
}

// MaxWebhooks is how many webhooks an organisation may have.
const MaxWebhooks = 20

// webhookIn is the body of POST /v1/organisations/{id}/webhooks.
type webhookIn struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

// Webhook is a webhook as listed: never with its secret.
type Webhook struct {
	ID        string   `json:"id"`
	URL       string   `json:"url"`
	Events    []string `json:"events"`
	CreatedAt string   `json:"created_at"`
}

// WebhookCreated is the answer to making a webhook: the only one that
// shows its secret.
type WebhookCreated struct {
	ID        string   `json:"id"`
	URL       string   `json:"url"`
	Events    []string `json:"events"`
	CreatedAt string   `json:"created_at"`
	Secret    string   `json:"secret"`
}

// WebhookDelivery is one attempt to deliver an event to a webhook.
type WebhookDelivery struct {
	ID          string `json:"id"`
	EventID     string `json:"event_id"`
	WebhookID   string `json:"webhook_id"`
	MessageID   string `json:"message_id"`
	Event       string `json:"event"`
	Attempt     int    `json:"attempt"`
	Status      int    `json:"status"`
	Error       string `json:"error"`
	DurationMs  int64  `json:"duration_ms"`
	AttemptedAt string `json:"attempted_at"`
}

// millis is RFC 3339 with milliseconds: retries come quicker than
// seconds.
const millis = "2006-01-02T15:04:05.000Z07:00"

func toWebhookJSON(w *matching.Webhook) Webhook {
	return Webhook{ID: w.ID, URL: w.URL, Events: nonNilStrings(w.Events), CreatedAt: rfc3339(w.CreatedAt)}
}

func toWebhookDeliveryJSON(d *matching.WebhookDelivery) WebhookDelivery {
	return WebhookDelivery{ID: d.ID, EventID: d.EventID, WebhookID: d.WebhookID, MessageID: d.MessageID, Event: d.Event,
		Attempt: d.Attempt, Status: d.Status, Error: d.Error, DurationMs: d.Duration.Milliseconds(),
		AttemptedAt: d.AttemptedAt.UTC().Format(millis)}
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// validate checks the URL (see notify.CheckURL; loopback and private
// addresses only when allowPrivate) and the events, each of which must be
// one of matching.Events; no events means every event. It returns the
// events without repeats, or an error wrapping matching.ErrInvalid naming
// what is wrong.
func (in *webhookIn) validate(ctx context.Context, allowPrivate bool) ([]string, error) {
	ve := &matching.ValidationError{}
	if in.URL == "" {
		ve.Add("url", "is required (the http:// or https:// address to POST events to)")
	} else if err := notify.CheckURL(ctx, in.URL, allowPrivate, nil); err != nil {
		if !errors.Is(err, notify.ErrBadURL) && !errors.Is(err, notify.ErrPrivateAddress) {
			return nil, err
		}
		ve.Add("url", "%s", err.Error())
	}
	events := make([]string, 0, len(in.Events))
	for i, e := range in.Events {
		switch {
		case !slices.Contains(matching.Events, e):
			ve.Add(fmt.Sprintf("events[%d]", i), "%q is not an event; events are %v", clip(e), matching.Events)
		case !slices.Contains(events, e):
			events = append(events, e)
		}
	}
	if len(ve.Errors) > 0 {
		return nil, ve
	}
	return events, nil
}

// webhookOrg checks the caller may manage the webhooks of the
// organisation in the path and that it exists, answering 401, 403 or 404
// otherwise.
func (h *handler) webhookOrg(c *gin.Context) (string, bool) {
	id := c.Param("id")
	if !mustAdmin(c, id, "manage webhooks") {
		return "", false
	}
	if _, err := h.store.GetOrganisation(c.Request.Context(), id); err != nil {
		fail(c, err)
		return "", false
	}
	return id, true
}

// createWebhook makes a webhook: 201 with its secret, shown only here; 400
// for a bad or private URL or an unknown event; 409 past MaxWebhooks.
func (h *handler) createWebhook(c *gin.Context) {
	orgID, ok := h.webhookOrg(c)
	if !ok {
		return
	}
	var in webhookIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	events, err := in.validate(ctx, h.allowPrivateHooks)
	if err != nil {
		fail(c, err)
		return
	}
	existing, err := h.store.ListWebhooks(ctx, orgID)
	if err != nil {
		fail(c, err)
		return
	}
	if len(existing) >= MaxWebhooks {
		fail(c, fmt.Errorf("%w: an organisation may have at most %d webhooks; delete one first", matching.ErrConflict, MaxWebhooks))
		return
	}
	secret, err := notify.NewSecret()
	if err != nil {
		fail(c, err)
		return
	}
	w := &matching.Webhook{ID: uuid.Must(uuid.NewV7()).String(), OrganisationID: orgID, URL: in.URL, Events: events,
		Secret: secret, CreatedBy: caller(c).PersonID, CreatedAt: h.now()}
	ctx = matching.WithAudit(ctx, matching.Audit{OrganisationID: orgID, Action: "webhook.created", SubjectType: "webhook", SubjectID: w.ID})
	if err := h.store.CreateWebhook(ctx, w); err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, WebhookCreated{ID: w.ID, URL: w.URL, Events: nonNilStrings(w.Events),
		CreatedAt: rfc3339(w.CreatedAt), Secret: w.Secret})
}

// listWebhooks answers the organisation's webhooks, oldest first, without
// their secrets.
func (h *handler) listWebhooks(c *gin.Context) {
	orgID, ok := h.webhookOrg(c)
	if !ok {
		return
	}
	hooks, err := h.store.ListWebhooks(c.Request.Context(), orgID)
	if err != nil {
		fail(c, err)
		return
	}
	out := list[Webhook]{Items: make([]Webhook, len(hooks))}
	for i := range hooks {
		out.Items[i] = toWebhookJSON(&hooks[i])
	}
	c.Header("Cache-Control", "private, no-cache")
	writeTagged(c, http.StatusOK, out)
}

// deleteWebhook deletes a webhook of the organisation: 204, or 404 for a
// webhook it does not have. Deliveries waiting to be retried are dropped.
func (h *handler) deleteWebhook(c *gin.Context) {
	orgID, ok := h.webhookOrg(c)
	if !ok {
		return
	}
	hookID := c.Param("hook_id")
	ctx := matching.WithAudit(c.Request.Context(), matching.Audit{OrganisationID: orgID, Action: "webhook.deleted", SubjectType: "webhook", SubjectID: hookID})
	if err := h.store.DeleteWebhook(ctx, orgID, hookID); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// listWebhookDeliveries answers a webhook's delivery attempts, newest
// first, paged by cursor; 404 for a webhook the organisation does not
// have.
func (h *handler) listWebhookDeliveries(c *gin.Context) {
	orgID, ok := h.webhookOrg(c)
	if !ok {
		return
	}
	page, limit, key, ok := idPage(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	hook, err := h.store.GetWebhook(ctx, orgID, c.Param("hook_id"))
	if err != nil {
		fail(c, err)
		return
	}
	ds, err := h.store.ListDeliveries(ctx, hook.ID, page)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-cache")
	writeTagged(c, http.StatusOK, linked(c, pageOf(ds, limit, key, func(d *matching.WebhookDelivery) string { return d.ID }, toWebhookDeliveryJSON)))
}
