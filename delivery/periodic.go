package delivery

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// The store gains EmitDueReviews, which records a partnership.review_due
// event for each partnership whose review has come due, in a change of its
// own. Until a store has it, no such periodic job is scheduled; when it
// does, reviewEmitter (or reviewCounter) matches and the job runs every
// MaintenanceInterval (an hour).
// TODO: drop the interface check once every store has the method.

// reviewEmitter is the store's EmitDueReviews, in the shape it may take.
type reviewEmitter interface {
	EmitDueReviews(ctx context.Context, now time.Time) error
}

// reviewCounter is EmitDueReviews returning how many it emitted.
type reviewCounter interface {
	EmitDueReviews(ctx context.Context, now time.Time) (int, error)
}

// ReviewsJob looks for partnership reviews that have come due.
type ReviewsJob struct{}

// Kind is the job's kind in river_job.
func (ReviewsJob) Kind() string { return "partnership.reviews" }

// emitDueReviews returns the store's EmitDueReviews, or nil when it has
// none.
func (s *Service) emitDueReviews() func(ctx context.Context, now time.Time) error {
	switch db := any(s.db).(type) {
	case reviewEmitter:
		return db.EmitDueReviews
	case reviewCounter:
		return func(ctx context.Context, now time.Time) error {
			n, err := db.EmitDueReviews(ctx, now)
			if err == nil && n > 0 {
				s.log.Info("partnership reviews due", "events", n)
			}
			return err
		}
	}
	return nil
}

// periodicJobs are the jobs run every MaintenanceInterval by whichever
// service is the queue's leader: pruning the deliveries log, and, when
// the store can, emitting due partnership reviews.
func (s *Service) periodicJobs() []*river.PeriodicJob {
	every := river.PeriodicInterval(s.cfg.MaintenanceInterval)
	jobs := []*river.PeriodicJob{river.NewPeriodicJob(every,
		func() (river.JobArgs, *river.InsertOpts) { return PruneJob{}, nil },
		&river.PeriodicJobOpts{ID: PruneJob{}.Kind()})}
	if s.emitDueReviews() != nil {
		jobs = append(jobs, river.NewPeriodicJob(every,
			func() (river.JobArgs, *river.InsertOpts) { return ReviewsJob{}, nil },
			&river.PeriodicJobOpts{ID: ReviewsJob{}.Kind()}))
	}
	return jobs
}

// PruneJob deletes webhook delivery attempts older than DeliveriesKept.
type PruneJob struct{}

// Kind is the job's kind in river_job.
func (PruneJob) Kind() string { return "webhook.deliveries.prune" }

type pruneWorker struct {
	river.WorkerDefaults[PruneJob]
	s *Service
}

func (w *pruneWorker) Work(ctx context.Context, job *river.Job[PruneJob]) error {
	n, err := w.s.db.PruneDeliveries(ctx, w.s.cfg.Now().Add(-w.s.cfg.DeliveriesKept))
	if err == nil && n > 0 {
		w.s.log.Info("pruned the webhook deliveries log", "deleted", n)
	}
	return err
}

type reviewsWorker struct {
	river.WorkerDefaults[ReviewsJob]
	s *Service
}

func (w *reviewsWorker) Work(ctx context.Context, job *river.Job[ReviewsJob]) error {
	emit := w.s.emitDueReviews()
	if emit == nil {
		return nil
	}
	return emit(ctx, w.s.cfg.Now())
}
