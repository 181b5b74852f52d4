package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

func patchRoundsSQLite(ctx context.Context, s *suite, r *result) error {
	dir, err := s.dir(r.name)
	if err != nil {
		return err
	}
	env := sqliteEnv(dir)
	env["COMMONGROUND_SEED"] = "none"
	return patchRounds(ctx, s, env, r)
}

func patchRoundsPostgres(ctx context.Context, s *suite, r *result) error {
	if s.o.pgURL == "" {
		r.skipped = "no PostgreSQL: set -pg or TEST_DATABASE_URL"
		return nil
	}
	db, err := freshDatabase(ctx, s.o.pgURL)
	if err != nil {
		return err
	}
	defer db.drop()
	env := map[string]string{"DATABASE_URL": db.url, "COMMONGROUND_SEED": "none", "COMMONGROUND_WRITE_RATE": "0"}
	return patchRounds(ctx, s, env, r)
}

// patchRounds sends -rounds rounds of two concurrent PATCHes of different
// fields of one organisation (description, website) and of one space
// (name, capacity), then reads each back: a round where either field does
// not hold the value just sent lost an update. It also sends one PATCH
// with a stale If-Match, which must be refused with 412.
func patchRounds(ctx context.Context, s *suite, env map[string]string, r *result) error {
	svc, err := launch(ctx, s.bin, env)
	if err != nil {
		return err
	}
	defer svc.kill()
	rec := &recorder{}
	c := newClient(svc.base, rec, 8)
	fx, err := setUp(ctx, c)
	if err != nil {
		return err
	}
	orgPath, spacePath := "/v1/organisations/"+fx.ownerID, "/v1/spaces/"+fx.spaceID
	var orgLost, spaceLost, orgFailed, spaceFailed int
	for i := range s.o.rounds {
		if err := ctx.Err(); err != nil {
			return err
		}
		desc, site := fmt.Sprintf("round %d", i), fmt.Sprintf("https://example.org/round/%d", i)
		name, capacity := fmt.Sprintf("Room round %d", i), 10+i
		bodies := []struct {
			path string
			body map[string]any
		}{
			{orgPath, map[string]any{"description": desc}},
			{orgPath, map[string]any{"website": site}},
			{spacePath, map[string]any{"name": name}},
			{spacePath, map[string]any{"capacity": capacity}},
		}
		var (
			status [4]int
			wg     sync.WaitGroup
			start  = make(chan struct{})
		)
		for j, b := range bodies {
			wg.Go(func() {
				<-start
				status[j], _, _ = c.do(ctx, "patch", "PATCH", b.path, fx.ownerToken, b.body, nil)
			})
		}
		close(start)
		wg.Wait()

		if status[0] != http.StatusOK || status[1] != http.StatusOK {
			orgFailed++
		} else {
			var o struct{ Description, Website string }
			if err := c.call(ctx, "GET", orgPath, fx.ownerToken, nil, http.StatusOK, &o); err != nil {
				return err
			}
			if o.Description != desc || o.Website != site {
				orgLost++
			}
		}
		if status[2] != http.StatusOK || status[3] != http.StatusOK {
			spaceFailed++
		} else {
			var sp struct {
				Name     string
				Capacity int
			}
			if err := c.call(ctx, "GET", spacePath, fx.ownerToken, nil, http.StatusOK, &sp); err != nil {
				return err
			}
			if sp.Name != name || sp.Capacity != capacity {
				spaceLost++
			}
		}
	}
	stale, _, err := c.do(ctx, "patch", "PATCH", orgPath, fx.ownerToken, map[string]any{"description": "stale"},
		map[string]string{"If-Match": `"faults-stale-etag"`})
	if err != nil {
		return err
	}
	r.count(rec.all())
	r.figure("organisation rounds with a lost update %d of %d", orgLost, s.o.rounds)
	r.figure("space rounds with a lost update %d of %d", spaceLost, s.o.rounds)
	if orgFailed+spaceFailed > 0 {
		r.figure("rounds with a PATCH not 200: organisation %d, space %d", orgFailed, spaceFailed)
		r.finding("%d rounds had a PATCH that did not answer 200", orgFailed+spaceFailed)
	}
	r.figure("stale If-Match %d", stale)
	if orgLost > 0 {
		r.finding("%d of %d rounds lost one of two concurrent PATCHes of an organisation (both must take effect)", orgLost, s.o.rounds)
	}
	if spaceLost > 0 {
		r.finding("%d of %d rounds lost one of two concurrent PATCHes of a space (both must take effect)", spaceLost, s.o.rounds)
	}
	if stale != http.StatusPreconditionFailed {
		r.finding("PATCH with a stale If-Match answered %d, want 412", stale)
	}
	return nil
}
