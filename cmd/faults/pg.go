package main

import (
	"context"
	"net"
	"net/url"
	"slices"
	"time"
)

// settle is how soon after PostgreSQL is back requests must succeed again.
const settle = time.Second

// slack is what the suite allows over COMMONGROUND_DB_TIMEOUT for an
// answer while the database is away.
const slack = time.Second

// pgEnv is a service on the PostgreSQL database at dbURL with the demo
// county, no write limit and the suite's database timeout.
func pgEnv(s *suite, dbURL string) map[string]string {
	return map[string]string{
		"DATABASE_URL":            dbURL,
		"COMMONGROUND_SEED":       "demo",
		"COMMONGROUND_WRITE_RATE": "0",
		"COMMONGROUND_DB_TIMEOUT": s.o.dbTimeout.String(),
	}
}

// hostPort is the server address of a PostgreSQL URL.
func hostPort(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", err
	}
	if u.Port() == "" {
		return net.JoinHostPort(u.Hostname(), "5432"), nil
	}
	return u.Host, nil
}

// window counts the requests of the given ops (all but setup and verify
// when none are given) that were in flight at some time in [from, to).
func window(recs []record, from, to time.Time, ops ...string) *result {
	w := newResult("")
	for _, rec := range recs {
		if rec.op == "setup" || rec.op == "verify" || len(ops) > 0 && !slices.Contains(ops, rec.op) {
			continue
		}
		if rec.start.Before(to) && rec.start.Add(rec.took).After(from) {
			w.status[rec.status]++
			w.longest = max(w.longest, rec.took)
		}
	}
	return w
}

// dbTrouble adds the findings of the contract for a database that is away:
// 503 with Retry-After, never another 5xx, never an answer slower than
// COMMONGROUND_DB_TIMEOUT (plus slack), never no answer.
func dbTrouble(s *suite, r *result, recs []record) {
	other, bare, none := 0, 0, 0
	for _, rec := range recs {
		switch {
		case rec.op == "setup" || rec.op == "verify":
		case rec.status == 0:
			none++
		case rec.status == 503 && !rec.retryAfter:
			bare++
		case rec.status >= 500 && rec.status != 503:
			other++
		}
	}
	if other > 0 {
		r.finding("%d answers were 5xx other than 503 (a database away must give 503 with Retry-After)", other)
	}
	if bare > 0 {
		r.finding("%d answers were 503 without Retry-After", bare)
	}
	if none > 0 {
		r.finding("%d requests had no answer within %s", none, clientTimeout)
	}
	if limit := s.o.dbTimeout + slack; r.longest > limit {
		r.finding("longest answer %s, over COMMONGROUND_DB_TIMEOUT %s + %s", roundDur(r.longest), s.o.dbTimeout, slack)
	}
}

// pgFrozen puts a TCP proxy between the service and PostgreSQL. Under
// mixed load the proxy stops forwarding for -freeze, keeping connections
// open, then resumes. Answers must stay within the database timeout (503
// for what needs the database), and every acknowledged write must be
// there afterwards. Then a service is started against a frozen proxy and
// sent SIGTERM while it waits for the database: it must exit within 10 s.
func pgFrozen(ctx context.Context, s *suite, r *result) error {
	if s.o.pgURL == "" {
		r.skipped = "no PostgreSQL: set -pg or TEST_DATABASE_URL"
		return nil
	}
	db, err := freshDatabase(ctx, s.o.pgURL)
	if err != nil {
		return err
	}
	defer db.drop()
	upstream, err := hostPort(db.url)
	if err != nil {
		return err
	}
	px, err := startProxy(upstream)
	if err != nil {
		return err
	}
	defer px.Close()
	viaProxy, err := withHost(db.url, px.Addr())
	if err != nil {
		return err
	}

	svc, err := launch(ctx, s.bin, pgEnv(s, viaProxy))
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
	l := startLoad(ctx, c, fx, s.o.workers, readers(s.o.workers), mixedLoad, s.o.duration+s.o.freeze+s.o.after, s.o.seed)
	pause(ctx, s.o.duration)
	frozeAt := time.Now()
	px.Freeze()
	pause(ctx, s.o.freeze)
	px.Thaw()
	thawedAt := time.Now()
	pause(ctx, s.o.after)
	acks := l.Stop()
	took, killed := svc.terminate(sigtermLimit + 2*time.Second)
	recs := rec.all()
	r.count(recs)
	during := window(recs, frozeAt, thawedAt)
	r.figure("frozen %s: requests in flight then %s, longest %s", s.o.freeze, during.statuses(), during.longestText())
	rm := window(recs, frozeAt, thawedAt, "nearby", "match")
	r.figure("of which nearby and matching %s, longest %s", rm.statuses(), rm.longestText())
	if rm.status[200] != sum(rm.status) || rm.longest > s.o.dbTimeout+slack {
		r.finding("nearby and matching, served by the read model, did not keep answering 200 within %s while the database was frozen", s.o.dbTimeout+slack)
	}
	dbTrouble(s, r, recs)
	if killed {
		r.figure("SIGTERM after the thaw: still running after %s, killed", roundDur(took))
	} else {
		r.figure("SIGTERM after the thaw: exit %d after %s", svc.exit, roundDur(took))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkAcks(ctx, s, pgEnv(s, db.url), acks, r); err != nil {
		return err
	}
	return frozenStartup(ctx, s, r, upstream, db.url)
}

// frozenStartup starts the service against a proxy that forwards nothing,
// waits -startup-wait, sends SIGTERM and measures how long it takes to
// exit (killing it 2 s after the 10 s it has).
func frozenStartup(ctx context.Context, s *suite, r *result, upstream, dbURL string) error {
	px, err := startProxy(upstream)
	if err != nil {
		return err
	}
	defer px.Close()
	px.Freeze()
	viaProxy, err := withHost(dbURL, px.Addr())
	if err != nil {
		return err
	}
	svc, err := startService(s.bin, pgEnv(s, viaProxy))
	if err != nil {
		return err
	}
	defer svc.kill()
	pause(ctx, s.o.startupWait)
	if svc.exited() {
		r.figure("start-up against a frozen database: gave up by itself within %s, exit %d", s.o.startupWait, svc.exit)
		return nil
	}
	took, killed := svc.terminate(sigtermLimit + 2*time.Second)
	if killed {
		r.figure("start-up against a frozen database: still running %s after SIGTERM, killed", roundDur(took))
		r.finding("start-up against a frozen database ignored SIGTERM (must exit within %s)", sigtermLimit)
		return nil
	}
	r.figure("start-up against a frozen database: exit %d %s after SIGTERM", svc.exit, roundDur(took))
	if took > sigtermLimit {
		r.finding("start-up against a frozen database exited %s after SIGTERM, over %s", roundDur(took), sigtermLimit)
	}
	return nil
}

func sum(m map[int]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// withHost returns rawURL with its host:port replaced by addr.
func withHost(rawURL, addr string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", err
	}
	u.Host = addr
	return u.String(), nil
}

// pgRestart makes a throwaway cluster, serves from it under mixed load and
// restarts the cluster (pg_ctlcluster restart). Answers must stay within
// the database timeout and be 503 for what needs the database; requests
// must succeed again once it is back; every acknowledged write must be
// there afterwards. The cluster is dropped at the end, also on failure.
func pgRestart(ctx context.Context, s *suite, r *result) error {
	if why := clusterUnavailable(s.o.pgVersion); why != "" {
		r.skipped = "no throwaway cluster: " + why
		return nil
	}
	cl, err := createCluster(ctx, s.o.pgVersion)
	defer cl.drop()
	if err != nil {
		return err
	}
	db, err := freshDatabase(ctx, cl.adminURL)
	if err != nil {
		return err
	}
	svc, err := launch(ctx, s.bin, pgEnv(s, db.url))
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
	l := startLoad(ctx, c, fx, s.o.workers, readers(s.o.workers), mixedLoad, s.o.duration+s.o.after+time.Minute, s.o.seed)
	pause(ctx, s.o.duration)
	downAt := time.Now()
	restartErr := cl.ctl(ctx, "restart")
	upAt := time.Now()
	if restartErr == nil {
		restartErr = cl.waitUp(ctx, 30*time.Second)
	}
	pause(ctx, s.o.after)
	acks := l.Stop()
	took, killed := svc.terminate(sigtermLimit + 2*time.Second)
	if restartErr != nil {
		return restartErr
	}
	recs := rec.all()
	r.count(recs)
	during := window(recs, downAt, upAt)
	r.figure("restart took %s: requests in flight then %s, longest %s", roundDur(upAt.Sub(downAt)), during.statuses(), during.longestText())
	settled := upAt.Add(settle)
	late := newResult("")
	for _, rec := range recs {
		if rec.start.After(settled) && rec.op != "setup" && rec.op != "verify" {
			late.status[rec.status]++
		}
	}
	failed := 0
	for status, n := range late.status {
		if status == 0 || status >= 500 {
			failed += n
		}
	}
	r.figure("from %s after the restart: %s", settle, late.statuses())
	if failed > 0 {
		r.finding("%d requests failed (5xx or no answer) more than %s after the database was back", failed, settle)
	}
	dbTrouble(s, r, recs)
	if killed {
		r.figure("SIGTERM afterwards: still running after %s, killed", roundDur(took))
	} else {
		r.figure("SIGTERM afterwards: exit %d after %s", svc.exit, roundDur(took))
	}
	return checkAcks(ctx, s, pgEnv(s, db.url), acks, r)
}
