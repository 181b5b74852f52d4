package main

import (
	"runtime/metrics"
	"slices"
	"time"
)

// sched is the Go runtime's histogram of how long runnable goroutines
// waited to run, and the count of GC cycles.
type sched struct {
	counts  []uint64
	buckets []float64
	gcs     uint64
}

func readSched() sched {
	samples := []metrics.Sample{{Name: "/sched/latencies:seconds"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(samples)
	h := samples[0].Value.Float64Histogram()
	return sched{counts: slices.Clone(h.Counts), buckets: h.Buckets, gcs: samples[1].Value.Uint64()}
}

// since is what was added to s after before.
func (s sched) since(before sched) sched {
	out := sched{counts: slices.Clone(s.counts), buckets: s.buckets, gcs: s.gcs - before.gcs}
	for i := range out.counts {
		out.counts[i] -= before.counts[i]
	}
	return out
}

// p99 is the upper bound of the bucket holding the 99th percentile.
func (s sched) p99() time.Duration {
	var total uint64
	for _, c := range s.counts {
		total += c
	}
	var seen uint64
	for i, c := range s.counts {
		seen += c
		if seen*100 >= total*99 {
			return time.Duration(s.buckets[i+1] * float64(time.Second)).Round(time.Microsecond)
		}
	}
	return 0
}
