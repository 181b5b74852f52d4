package delivery

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// The store gains EmitDueReviews, which records a partnership.review_due
// event for each partnership whose review has come due, in a change of its
// own. Until a store has it, no periodic job is scheduled; when it does,
// reviewEmitter (or reviewCounter) matches and the job runs once an hour.
// TODO: drop the interface check once every store has the method.

// reviewEmitter is the store's EmitDueReviews, in the shape it may take.
type reviewEmitter interface {
	EmitDueReviews(ctx context.Context, now time.Time) error
}

// reviewCounter is EmitDueReviews returning how many it emitted.
type reviewCounter interface {
	EmitDueReviews(ctx context.Context, now time.Time) (int, error)
}

// ReviewsInterval is how often due partnership reviews are looked for.
const ReviewsInterval = time.Hour

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

// periodicJobs are the jobs run on a schedule by whichever service is
// the queue's leader.
func (s *Service) periodicJobs() []*river.PeriodicJob {
	if s.emitDueReviews() == nil {
		return nil
	}
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(ReviewsInterval),
		func() (river.JobArgs, *river.InsertOpts) { return ReviewsJob{}, nil },
		&river.PeriodicJobOpts{ID: "partnership.reviews"})}
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
