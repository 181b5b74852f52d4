package store

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"commonground/matching"
)

// Follower keeps a matching.Engine in step with the database: it loads a
// full snapshot at start, then applies the changes committed since the
// engine's revision — after each local write (CatchUp) and every Interval
// for writes made by other replicas. The database stays the source of
// truth: the engine only ever holds what a committed revision holds.
type Follower struct {
	DB       *DB
	Engine   *matching.Engine
	Log      *slog.Logger
	Interval time.Duration // default 500ms: other replicas' writes show within a second

	// turn, made once, holds a token while a catch-up or load runs: one
	// at a time. A channel rather than a mutex, so a caller waits for its
	// turn no longer than its context allows.
	turnOnce sync.Once
	turn     chan struct{}
	// begun numbers the catch-ups (and loads) as they begin; done, read
	// and written in the turn, is the number of the newest that
	// succeeded. See CatchUp.
	begun atomic.Uint64
	done  uint64
}

// Load takes a full snapshot into the engine.
func (f *Follower) Load(ctx context.Context) error {
	if err := f.lock(ctx); err != nil {
		return err
	}
	defer f.unlock()
	n := f.begun.Add(1)
	err := f.load(ctx)
	if err == nil {
		f.done = n
	}
	return err
}

func (f *Follower) load(ctx context.Context) error {
	start := time.Now()
	l := f.Engine.Load()
	rev, err := f.DB.Snapshot(ctx, l)
	if err != nil {
		return err
	}
	l.Commit(rev)
	orgs, venues, spaces := f.Engine.Counts()
	f.log().Info("read model loaded", "revision", rev, "organisations", orgs, "venues", venues, "spaces", spaces,
		"took", time.Since(start).Round(time.Millisecond))
	return nil
}

// CatchUp applies every change committed since the engine's revision. A
// writer calls it after its commit, so its own write is visible to its
// next read.
//
// Catch-ups run one at a time, and callers that queue share them: a
// catch-up that began after a caller arrived has read everything the
// caller had committed, so once one such has succeeded the caller returns
// at once. Fifty writers committing together cost two catch-ups, not
// fifty in a row.
func (f *Follower) CatchUp(ctx context.Context) error {
	ticket := f.begun.Load()
	// The wait for the turn and the read of the change set share one
	// store timeout, so a caller queued behind a catch-up that waits on a
	// silent database gives up within the timeout too.
	cctx, cancel := bound(ctx, f.DB.timeout)
	defer cancel()
	if err := f.lock(cctx); err != nil {
		return unavailable(err, ctx, cctx)
	}
	defer f.unlock()
	if f.done > ticket {
		return nil
	}
	n := f.begun.Add(1)
	err := f.catchUp(ctx, cctx)
	if err == nil {
		f.done = n
	}
	return err
}

// catchUp reads the change set under cctx, the store's timeout, so a
// database that stopped answering does not hold the follower, and every
// writer queued behind it, until the caller's deadline; a reload, under
// ctx, is bulk work and is not bounded by it.
func (f *Follower) catchUp(ctx, cctx context.Context) error {
	cs, err := f.DB.ChangesSince(cctx, f.Engine.Revision())
	if err != nil {
		return unavailable(err, ctx, cctx)
	}
	if cs.Reload {
		return f.load(ctx)
	}
	if cs.Empty() && cs.Revision <= f.Engine.Revision() {
		return nil
	}
	if err := f.Engine.Apply(cs); err != nil {
		f.log().Warn("change set could not be applied; reloading", "error", err.Error())
		return f.load(ctx)
	}
	return nil
}

// Run follows the database until ctx ends.
func (f *Follower) Run(ctx context.Context) {
	every := f.Interval
	if every <= 0 {
		every = 500 * time.Millisecond
	}
	t := time.NewTicker(every)
	defer t.Stop()
	prune := time.NewTicker(10 * time.Minute)
	defer prune.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-prune.C:
			// A day of changes is plenty for any replica to catch up; one
			// that falls further behind reloads a snapshot.
			if err := f.DB.PruneChanges(ctx, 24*time.Hour); err != nil && ctx.Err() == nil {
				f.log().Warn("pruning the change log", "error", err.Error())
			}
			if err := f.DB.PruneIdempotencyKeys(ctx, matching.DefaultIdempotencyTTL); err != nil && ctx.Err() == nil {
				f.log().Warn("pruning idempotency keys", "error", err.Error())
			}
		case <-t.C:
			if err := f.CatchUp(ctx); err != nil && ctx.Err() == nil {
				f.log().Warn("following the database", "error", err.Error())
			}
		}
	}
}

// lock waits for the turn to catch up or load, until ctx ends.
func (f *Follower) lock(ctx context.Context) error {
	f.turnOnce.Do(func() { f.turn = make(chan struct{}, 1) })
	select {
	case f.turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *Follower) unlock() { <-f.turn }

func (f *Follower) log() *slog.Logger {
	if f.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return f.Log
}
