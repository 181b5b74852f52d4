package delivery

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"commonground/matching"
	"commonground/notify"
)

// EmailJob mails one event to one address.
type EmailJob struct {
	EventID string `json:"event_id"`
	To      string `json:"to"`
}

// Kind is the job's kind in river_job.
func (EmailJob) Kind() string { return "event.email" }

// errNoMailer cancels an email job worked by a service without mail.
var errNoMailer = errors.New("mail is not configured (COMMONGROUND_SMTP_URL)")

type emailWorker struct {
	river.WorkerDefaults[EmailJob]
	s *Service
}

// Work sends the mail. A refusal that sending again cannot cure (a 5xx
// reply, a bad address) cancels the job; any other failure is tried again
// later.
func (w *emailWorker) Work(ctx context.Context, job *river.Job[EmailJob]) error {
	s := w.s
	if s.cfg.Mailer == nil {
		return river.JobCancel(errNoMailer)
	}
	ev, _, err := s.db.GetEvent(ctx, job.Args.EventID)
	if errors.Is(err, matching.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	msg := notify.ComposeEventMail(toNotify(ev), s.cfg.PublicURL)
	msg.To = []string{job.Args.To}
	if err := s.cfg.Mailer.Send(ctx, msg); err != nil {
		if notify.IsPermanent(err) {
			s.log.Warn("email refused; not trying again", "event_id", ev.ID, "error", err.Error())
			return river.JobCancel(err)
		}
		s.log.Info("email not sent; trying again later", "event_id", ev.ID, "attempt", job.Attempt, "error", err.Error())
		return err
	}
	return nil
}

// NextRetry is after EmailRetryBase, doubling with each attempt, when set;
// otherwise River's backoff.
func (w *emailWorker) NextRetry(job *river.Job[EmailJob]) time.Time {
	if w.s.cfg.EmailRetryBase <= 0 {
		return time.Time{}
	}
	return time.Now().Add(notify.RetryDelay(job.Attempt, w.s.cfg.EmailRetryBase))
}
