package matching

import (
	"slices"
	"time"
)

// Webhook is an organisation's endpoint that is sent its events: those
// named in Events, or every event when Events is empty. Secret is the
// signing secret ("whsec_" and base64), shown to the organisation once,
// when the webhook is made.
type Webhook struct {
	ID             string
	OrganisationID string
	URL            string
	Events         []string
	Secret         string
	CreatedBy      string // person ID; "" when made with a key or by the operator
	CreatedAt      time.Time
}

// Wants reports whether the webhook is sent event.
func (w *Webhook) Wants(event string) bool {
	return len(w.Events) == 0 || slices.Contains(w.Events, event)
}

// WebhookDelivery is one attempt to deliver an event to a webhook. Every
// attempt for the same event and webhook carries the same MessageID (the
// webhook-id header). Status is the HTTP status answered, 0 for none;
// Error is "" for a delivery that succeeded.
type WebhookDelivery struct {
	ID          string
	WebhookID   string
	EventID     string
	MessageID   string
	Event       string
	Attempt     int
	Status      int
	Error       string
	Duration    time.Duration
	AttemptedAt time.Time
}
