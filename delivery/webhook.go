package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"commonground/matching"
	"commonground/notify"
)

// WebhookJob delivers one event to one webhook.
type WebhookJob struct {
	EventID   string `json:"event_id"`
	WebhookID string `json:"webhook_id"`
}

// Kind is the job's kind in river_job.
func (WebhookJob) Kind() string { return "event.webhook" }

type webhookWorker struct {
	river.WorkerDefaults[WebhookJob]
	s *Service
}

// Work POSTs the event to the webhook, with the same webhook-id on every
// attempt (notify.DeliveryID of the event and the webhook), and logs the
// attempt in the webhook's deliveries. Any failure is tried again (see
// NextRetry) until the job's attempts run out; a webhook deleted meanwhile
// ends the job.
func (w *webhookWorker) Work(ctx context.Context, job *river.Job[WebhookJob]) error {
	s := w.s
	hook, err := s.db.GetWebhook(ctx, "", job.Args.WebhookID)
	if errors.Is(err, matching.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("webhook deleted: %w", err))
	}
	if err != nil {
		return err
	}
	ev, _, err := s.db.GetEvent(ctx, job.Args.EventID)
	if errors.Is(err, matching.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	key, err := notify.ParseSecret(hook.Secret)
	if err != nil {
		return river.JobCancel(fmt.Errorf("webhook %s: unusable secret: %w", hook.ID, err))
	}
	msgID := notify.DeliveryID(ev.ID, hook.ID)
	now := s.cfg.Now()
	attempt, derr := s.deliverer.Deliver(ctx, hook.URL, key, msgID, toNotify(ev), now)
	d := matching.WebhookDelivery{ID: uuid.Must(uuid.NewV7()).String(), WebhookID: hook.ID, EventID: ev.ID,
		MessageID: msgID, Event: ev.Event, Attempt: job.Attempt, Status: attempt.Status, Error: attempt.Error,
		Duration: attempt.Duration, AttemptedAt: now}
	rerr := s.db.RecordDelivery(context.WithoutCancel(ctx), &d)
	if errors.Is(rerr, matching.ErrConflict) {
		// The webhook was deleted while the delivery was under way.
		return river.JobCancel(fmt.Errorf("webhook deleted: %w", rerr))
	}
	if rerr != nil {
		s.log.Warn("webhook delivery not logged", "webhook_id", hook.ID, "event_id", ev.ID, "attempt", job.Attempt, "error", rerr.Error())
	}
	if derr != nil {
		if errors.Is(derr, notify.ErrBadURL) {
			return river.JobCancel(derr)
		}
		s.log.Info("webhook not delivered; trying again later", "webhook_id", hook.ID, "event_id", ev.ID,
			"attempt", job.Attempt, "of", job.MaxAttempts, "error", derr.Error())
		return derr
	}
	return nil
}

// NextRetry waits notify.RetryDelay after the attempt just made: the
// retry base, doubling each time, capped at an hour.
func (w *webhookWorker) NextRetry(job *river.Job[WebhookJob]) time.Time {
	return time.Now().Add(notify.RetryDelay(job.Attempt, w.s.cfg.WebhookRetryBase))
}

// Timeout leaves the delivery's own timeout to end a slow receiver.
func (w *webhookWorker) Timeout(*river.Job[WebhookJob]) time.Duration {
	return notify.DefaultDeliveryTimeout + max(w.s.cfg.WebhookTimeout, notify.DefaultDeliveryTimeout)
}
