package main

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"text/tabwriter"
	"time"
)

// Summary is the latency distribution of one variant's requests.
type Summary struct {
	N                 int
	Median, P90, P99  time.Duration
	Total             time.Duration
	RequestsPerSecond float64 // one request at a time: N / Total
}

// Summarise computes percentiles by nearest rank.
func Summarise(times []time.Duration) Summary {
	s := slices.Clone(times)
	slices.Sort(s)
	var sum Summary
	sum.N = len(s)
	if sum.N == 0 {
		return sum
	}
	rank := func(q float64) time.Duration { return s[max(0, int(math.Ceil(q*float64(len(s))))-1)] }
	sum.Median, sum.P90, sum.P99 = rank(0.5), rank(0.9), rank(0.99)
	for _, t := range s {
		sum.Total += t
	}
	sum.RequestsPerSecond = float64(sum.N) / sum.Total.Seconds()
	return sum
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond)) }

func report(out io.Writer, o options, variants []*variant, agree []agreement) {
	fmt.Fprintf(out, "%d requests per variant, interleaved, one goroutine, one database connection (GOMAXPROCS %d; PostgreSQL on the same machine)\n\n",
		o.n, runtime.GOMAXPROCS(0))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "variant\tmedian\tp90\tp99\treq/s\tmedian / engine's\treq/s engine / this\tin SQL\tanswers as engine's\t")
	base := Summarise(variants[0].times)
	for i, v := range variants {
		s := Summarise(v.times)
		a := agree[i]
		answers := fmt.Sprintf("%d/%d identical, %d/%d ids shared", a.identical, a.points, a.overlap, a.wanted)
		if a.knowsTotal > 0 {
			answers += fmt.Sprintf(", total_matches equal %d/%d", a.sameTotal, a.knowsTotal)
		} else {
			answers += ", total_matches unknown"
		}
		inDB := "-"
		if v.inDB != nil {
			inDB = fmt.Sprintf("%.0f%%", 100*float64(*v.inDB)/float64(s.Total))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.0f\t%.1f×\t%.1f×\t%s\t%s\t\n", v.name, ms(s.Median), ms(s.P90), ms(s.P99), s.RequestsPerSecond,
			float64(s.Median)/float64(base.Median), base.RequestsPerSecond/s.RequestsPerSecond, inDB, answers)
	}
	tw.Flush()
	fmt.Fprint(out, `
"in SQL" is the share of a variant's time spent in gorm's Find (the query and reading its rows); the
rest is parsing JSON, checking sessions and scoring in Go.

What the SQL variants do: one query per request (per page for the LIMIT/OFFSET variant) through gorm,
joining venues for the name and time zone; the radius (bbox on spaces_lat_lon then a haversine
expression, or ST_DWithin on the GiST-indexed geography column spaces.geog, on the spheroid), capacity,
floor area per dancer, unsuitable floors and ceiling height as SQL conditions, and prohibited activities
as NOT LIKE '%"contemporary"%' on the JSON text. For every row returned, Go parses the opening hours,
closures and prices JSON with encoding/json, checks each session with matching.Space.Unavailability in
the venue's zone, and scores free spaces with the engine's formula.
  "all → rank in Go" fetches every candidate in the radius, so it can rank by score and give the
  engine's answer and total_matches. "nearest LIMIT/OFFSET" (ORDER BY the haversine expression) and
  "<-> KNN LIMIT/OFFSET" (ORDER BY geog <-> point, which walks the GiST index nearest first) fetch pages
  of 20 nearest first until 20 are free: the same answer size, but the 20 nearest free spaces, not the
  20 best, and no total_matches.
What they do not do: count excluded spaces by reason (the engine counts every space within twice the
radius under the first rule it fails; SQL would have to fetch all of them, unfiltered, from 2×radius and
test them in Go); values checks between organisations (no requester here); booked periods (the seeded
data has none, so the engine's check of them costs little); the reasons text of each match (the engine
renders it for its 20). PostGIS measures on the spheroid and the engine on orb's sphere, so a space right
at 15 km can fall on different sides.
`)
}
