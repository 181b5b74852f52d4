// Command benchsql measures venue matching on the in-memory read model
// (matching.Engine, loaded from the database with store.Snapshot) against
// the same match written as SQL the way a straightforward gorm
// implementation would write it, on one PostgreSQL database:
//
//	go run ./cmd/benchsql -url 'postgres://postgres@127.0.0.1:5432/cg_million?sslmode=disable' -n 200
//
// It loads the read model (and says how long that took and how much heap
// it holds per space), takes a fixed sample of venue locations from the
// data as request points, checks that the variants agree, then runs every
// variant n times, one request at a time on one goroutine and one database
// connection, interleaved so that noise falls on all of them alike, and
// prints median, p90 and p99 latency, throughput and the ratios to the
// engine. The request is a weekly class: 24 contemporary dancers, ten
// Tuesdays 18:00–20:00 from 2027-01-05, within 15 km, best 20.
//
// With -postgis (the default) it creates, if missing, the PostGIS
// extension, a generated geography column spaces.geog and a GiST index on
// it, outside the service's migrations; install PostGIS first
// (apt-get install -y postgresql-15-postgis-3). Without PostGIS only the
// bounding-box variants run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"commonground/matching"
	"commonground/seed"
	"commonground/store"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchsql:", err)
		os.Exit(1)
	}
}

type options struct {
	url     string
	n       int
	points  int
	postgis bool
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("benchsql", flag.ContinueOnError)
	fs.StringVar(&o.url, "url", os.Getenv("DATABASE_URL"), "PostgreSQL URL of a seeded database (default $DATABASE_URL)")
	fs.IntVar(&o.n, "n", 200, "requests per variant")
	fs.IntVar(&o.points, "points", 50, "request points: venue locations taken in ID order (a fixed, uniform sample)")
	fs.BoolVar(&o.postgis, "postgis", true, "also run the PostGIS variants, creating the extension, spaces.geog and its GiST index if missing")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.url == "" {
		return o, errors.New("-url is required (a postgres:// URL)")
	}
	if o.n < 1 || o.points < 1 {
		return o, errors.New("-n and -points must be positive")
	}
	return o, nil
}

// weeklyClass is the request every variant answers, at each point.
func weeklyClass(near orb.Point) (*matching.VenueRequest, error) {
	sessions, err := matching.Weekly{Day: "tue", Start: 18 * 60, End: 20 * 60,
		From: time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC), Count: 10, Timezone: "Europe/London"}.Expand()
	if err != nil {
		return nil, err
	}
	return &matching.VenueRequest{Near: near, RadiusKm: 15, GroupSize: 24, Activity: "contemporary",
		Sessions: sessions, RequireAllSessions: true, Limit: 20}, nil
}

// variant is one implementation under test. Each call answers one request
// and returns the IDs of its matches, best first, and the total number of
// matches (-1: not known to the variant).
type variant struct {
	name  string
	match func(ctx context.Context, req *matching.VenueRequest) ([]string, int, error)
	times []time.Duration
	// inDB is the time the variant spends in the database (nil: none).
	inDB *time.Duration
}

func run(ctx context.Context, args []string, out io.Writer) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, o.url, store.Options{Logger: slog.New(slog.DiscardHandler), MaxOpenConns: 1})
	if err != nil {
		return err
	}
	defer db.Close()
	if db.Dialect() != store.Postgres {
		return errors.New("-url must name a PostgreSQL database")
	}

	// The read model, loaded as the service loads it.
	before := liveHeap()
	start := time.Now()
	engine := matching.NewEngine(seed.Taxonomy(), matching.EngineOptions{})
	l := engine.Load()
	rev, err := db.Snapshot(ctx, l)
	if err != nil {
		return err
	}
	l.Commit(rev)
	loadTook := time.Since(start)
	heap := liveHeap() - before
	orgs, venues, spaces := engine.Counts()
	if spaces == 0 {
		return errors.New("the database holds no spaces: seed it with go run . seed --scale N")
	}
	fmt.Fprintf(out, "read model: %d organisations, %d venues, %d spaces at revision %d\n", orgs, venues, spaces, rev)
	fmt.Fprintf(out, "  store.Snapshot into matching.Engine took %s; live heap %.0f MiB, %.0f B per space\n\n",
		loadTook.Round(time.Millisecond), float64(heap)/(1<<20), float64(heap)/float64(spaces))

	var points []orb.Point
	var rows []struct{ Lat, Lon float64 }
	if err := db.Gorm().WithContext(ctx).Raw("SELECT lat, lon FROM venues ORDER BY id LIMIT ?", o.points).Scan(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		points = append(points, orb.Point{r.Lon, r.Lat})
	}

	spatial := []string{"bbox"}
	if o.postgis {
		done, err := ensurePostGIS(ctx, db.Gorm())
		if err != nil {
			fmt.Fprintf(out, "PostGIS unavailable (%v): bounding-box variants only.\n"+
				"  Install it with: apt-get install -y postgresql-15-postgis-3\n\n", err)
		} else {
			spatial = append(spatial, "postgis")
			for _, d := range done {
				fmt.Fprintf(out, "PostGIS: %s\n", d)
			}
		}
	}

	variants := []*variant{{name: "engine (in process)", match: func(_ context.Context, req *matching.VenueRequest) ([]string, int, error) {
		res, err := engine.MatchVenues(req)
		if err != nil {
			return nil, 0, err
		}
		ids := make([]string, len(res.Matches))
		for i, m := range res.Matches {
			ids[i] = m.SpaceID
		}
		return ids, res.TotalMatches, nil
	}}}
	for _, s := range spatial {
		for _, ranked := range []bool{true, false} {
			m := &sqlMatcher{db: db.Gorm(), spatial: s, ranked: ranked}
			variants = append(variants, &variant{name: m.name(), match: func(ctx context.Context, req *matching.VenueRequest) ([]string, int, error) {
				found, total, err := m.match(ctx, req)
				ids := make([]string, len(found))
				for i, x := range found {
					ids[i] = x.ID
				}
				return ids, total, err
			}, inDB: &m.inDB})
		}
	}

	// One pass over the points: warms the caches and checks the answers.
	inRadius := make([]int, 0, len(points))
	agree := make([]agreement, len(variants))
	for _, p := range points {
		req, err := weeklyClass(p)
		if err != nil {
			return err
		}
		res, err := engine.MatchVenues(req)
		if err != nil {
			return err
		}
		n := res.TotalMatches
		for k, x := range res.Excluded {
			if k != matching.ExcludedTooFar {
				n += x
			}
		}
		inRadius = append(inRadius, n)
		var want []string
		var wantTotal int
		for i, v := range variants {
			ids, total, err := v.match(ctx, req)
			if err != nil {
				return fmt.Errorf("%s: %w", v.name, err)
			}
			if i == 0 {
				want, wantTotal = ids, total
			}
			agree[i].add(want, wantTotal, ids, total)
		}
	}
	slices.Sort(inRadius)
	fmt.Fprintf(out, "request: %d venue locations (venues in ID order); spaces within 15 km: median %d, min %d, max %d\n",
		len(points), inRadius[len(inRadius)/2], inRadius[0], inRadius[len(inRadius)-1])
	fmt.Fprintf(out, "  weekly class: 24 contemporary dancers, 10 Tuesdays 18:00–20:00 Europe/London from 2027-01-05, all sessions, radius 15 km, best 20\n\n")

	for _, v := range variants {
		if v.inDB != nil {
			*v.inDB = 0
		}
	}
	for i := 0; i < o.n; i++ {
		req, err := weeklyClass(points[i%len(points)])
		if err != nil {
			return err
		}
		for _, v := range variants {
			t := time.Now()
			if _, _, err := v.match(ctx, req); err != nil {
				return fmt.Errorf("%s: %w", v.name, err)
			}
			v.times = append(v.times, time.Since(t))
		}
	}
	report(out, o, variants, agree)
	return nil
}

// agreement counts how a variant's answers compare with the engine's.
type agreement struct {
	points, identical, sameSize, overlap, wanted, sameTotal, knowsTotal int
}

func (a *agreement) add(want []string, wantTotal int, got []string, total int) {
	a.points++
	if slices.Equal(want, got) {
		a.identical++
	}
	if len(want) == len(got) {
		a.sameSize++
	}
	set := map[string]bool{}
	for _, id := range want {
		set[id] = true
	}
	for _, id := range got {
		if set[id] {
			a.overlap++
		}
	}
	a.wanted += len(want)
	if total >= 0 {
		a.knowsTotal++
		if total == wantTotal {
			a.sameTotal++
		}
	}
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
