package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/riverqueue/river"

	"commonground/matching"
	"commonground/notify"
	"commonground/store"
)

// eventWorker fans an event out: one EmailJob per address of the people
// of the organisations concerned who want email, and one WebhookJob per
// webhook of those organisations that wants the event. The jobs are unique
// by their arguments, so a fan-out that fails halfway and runs again
// inserts only what is missing.
type eventWorker struct {
	river.WorkerDefaults[store.EventJob]
	s *Service
}

func (w *eventWorker) Work(ctx context.Context, job *river.Job[store.EventJob]) error {
	s := w.s
	ev, orgs, err := s.db.GetEvent(ctx, job.Args.EventID)
	if errors.Is(err, matching.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	var params []river.InsertManyParams
	if s.cfg.Mailer != nil {
		to, err := s.db.EmailRecipients(ctx, orgs)
		if err != nil {
			return err
		}
		for _, addr := range to {
			params = append(params, river.InsertManyParams{
				Args: EmailJob{EventID: ev.ID, To: addr}, InsertOpts: insertUnique(EmailMaxAttempts)})
		}
	}
	hooks, err := s.db.WebhooksFor(ctx, orgs, ev.Event)
	if err != nil {
		return err
	}
	for _, h := range hooks {
		params = append(params, river.InsertManyParams{
			Args: WebhookJob{EventID: ev.ID, WebhookID: h.ID}, InsertOpts: insertUnique(s.hookAttempts)})
	}
	if len(params) == 0 {
		return nil
	}
	if _, err := s.client.InsertMany(ctx, params); err != nil {
		return fmt.Errorf("queue deliveries of event %s: %w", ev.ID, err)
	}
	s.log.Debug("event fanned out", "event_id", ev.ID, "event", ev.Event, "jobs", len(params))
	return nil
}

// toNotify is the event as package notify takes it.
func toNotify(ev *matching.Event) notify.Event {
	return notify.Event{ID: ev.ID, Event: ev.Event, CreatedAt: ev.CreatedAt,
		Subject: notify.Subject{Type: ev.SubjectType, ID: ev.SubjectID},
		Summary: ev.Summary, Data: json.RawMessage(ev.Data)}
}
