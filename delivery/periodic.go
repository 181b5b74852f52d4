package delivery

import (
	"context"

	"github.com/riverqueue/river"
)

// ReviewsJob looks for partnership reviews that have come due.
type ReviewsJob struct{}

// Kind is the job's kind in river_job.
func (ReviewsJob) Kind() string { return "partnership.reviews" }

// periodicJobs are the jobs run every MaintenanceInterval by whichever
// service is the queue's leader: pruning the deliveries log, and emitting
// partnership reviews that have come due (partnership.review_due, 14
// days before review_on; the store emits each once).
func (s *Service) periodicJobs() []*river.PeriodicJob {
	every := river.PeriodicInterval(s.cfg.MaintenanceInterval)
	return []*river.PeriodicJob{
		river.NewPeriodicJob(every,
			func() (river.JobArgs, *river.InsertOpts) { return PruneJob{}, nil },
			&river.PeriodicJobOpts{ID: PruneJob{}.Kind()}),
		river.NewPeriodicJob(every,
			func() (river.JobArgs, *river.InsertOpts) { return ReviewsJob{}, nil },
			&river.PeriodicJobOpts{ID: ReviewsJob{}.Kind(), RunOnStart: true}),
	}
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
	n, err := w.s.db.EmitDueReviews(ctx, w.s.cfg.Now())
	if err == nil && n > 0 {
		w.s.log.Info("partnership reviews due", "events", n)
	}
	return err
}
