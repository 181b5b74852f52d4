package main

import (
	"context"
	"errors"
	"path/filepath"
	"time"
)

// readers is how many read-model clients go with workers clients of
// mixed load.
func readers(workers int) int { return max(1, workers/4) }

// sigtermLimit is how soon the service must exit after SIGTERM.
const sigtermLimit = 10 * time.Second

// sqliteEnv is a service on a SQLite file in dir with the demo county and
// no write limit, so the load is not answered 429.
func sqliteEnv(dir string) map[string]string {
	return map[string]string{
		"DATABASE_URL":            "sqlite:" + filepath.Join(dir, "cg.db"),
		"COMMONGROUND_SEED":       "demo",
		"COMMONGROUND_WRITE_RATE": "0",
	}
}

// checkAcks starts a fresh service with env and reads back every
// acknowledged write: lost ones break the invariant, as do ones it cannot
// answer for.
func checkAcks(ctx context.Context, s *suite, env map[string]string, acks []ack, r *result) error {
	if len(acks) == 0 {
		return errors.New("no write was acknowledged before the fault: nothing measured (longer -duration?)")
	}
	svc, err := launch(ctx, s.bin, env)
	if err != nil {
		return err
	}
	defer svc.terminate(sigtermLimit)
	lost, unchecked, first := verify(ctx, svc.base, acks)
	r.checked, r.acked, r.lost = true, len(acks), lost
	if lost > 0 {
		r.violation("%d of %d acknowledged writes lost after restart (first: %s)", lost, len(acks), first)
	}
	if unchecked > 0 {
		r.violation("%d of %d acknowledged writes could not be read back after restart", unchecked, len(acks))
	}
	return nil
}

// sqliteKill9: writers register organisations and book through HTTP on
// SQLite; the service is killed with SIGKILL mid-load and restarted; every
// write it acknowledged must be there.
func sqliteKill9(ctx context.Context, s *suite, r *result) error {
	dir, err := s.dir(r.name)
	if err != nil {
		return err
	}
	env := sqliteEnv(dir)
	svc, err := launch(ctx, s.bin, env)
	if err != nil {
		return err
	}
	defer svc.kill()
	rec := &recorder{}
	c := newClient(svc.base, rec, s.o.workers)
	fx, err := setUp(ctx, c)
	if err != nil {
		return err
	}
	l := startLoad(ctx, c, fx, s.o.workers, 0, writeLoad, s.o.duration+time.Minute, s.o.seed)
	if err := pause(ctx, s.o.duration); err != nil {
		l.Stop()
		return err
	}
	svc.kill()
	// Let the writers meet the dead service, then stop them.
	pause(ctx, 300*time.Millisecond)
	acks := l.Stop()
	r.count(rec.all())
	r.figure("killed with %d writes acknowledged", len(acks))
	return checkAcks(ctx, s, env, acks, r)
}

// sigtermUnderLoad: SIGTERM during reads, matching and writes. The
// service must exit with status 0 within 10 s, and every write it
// acknowledged, also while shutting down, must be there after a restart.
func sigtermUnderLoad(ctx context.Context, s *suite, r *result) error {
	dir, err := s.dir(r.name)
	if err != nil {
		return err
	}
	env := sqliteEnv(dir)
	svc, err := launch(ctx, s.bin, env)
	if err != nil {
		return err
	}
	defer svc.kill()
	rec := &recorder{}
	c := newClient(svc.base, rec, s.o.workers)
	fx, err := setUp(ctx, c)
	if err != nil {
		return err
	}
	l := startLoad(ctx, c, fx, s.o.workers, readers(s.o.workers), mixedLoad, s.o.duration+time.Minute, s.o.seed)
	if err := pause(ctx, s.o.duration); err != nil {
		l.Stop()
		return err
	}
	took, killed := svc.terminate(sigtermLimit + 2*time.Second)
	acks := l.Stop()
	r.count(rec.all())
	switch {
	case killed:
		r.figure("still running %s after SIGTERM, killed", roundDur(took))
		r.violation("the service did not exit within %s of SIGTERM", sigtermLimit)
	default:
		r.figure("exit %d %s after SIGTERM", svc.exit, roundDur(took))
		if svc.exit != 0 {
			r.violation("exit status %d after SIGTERM, want 0", svc.exit)
		}
		if took > sigtermLimit {
			r.violation("exit %s after SIGTERM, over %s", roundDur(took), sigtermLimit)
		}
	}
	return checkAcks(ctx, s, env, acks, r)
}
