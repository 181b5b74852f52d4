package main

import (
	"testing"
	"time"
)

func TestSummarise(t *testing.T) {
	var times []time.Duration
	for i := 100; i >= 1; i-- { // 100 ms … 1 ms, out of order
		times = append(times, time.Duration(i)*time.Millisecond)
	}
	got := Summarise(times)
	want := Summary{N: 100, Median: 50 * time.Millisecond, P90: 90 * time.Millisecond, P99: 99 * time.Millisecond,
		Total: 5050 * time.Millisecond, RequestsPerSecond: 100 / 5.05}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got := Summarise(nil); got != (Summary{}) {
		t.Errorf("Summarise(nil): got %+v, want the zero Summary", got)
	}
	if got := Summarise([]time.Duration{time.Second}); got.Median != time.Second || got.P99 != time.Second {
		t.Errorf("one sample: got %+v, want median and p99 of 1s", got)
	}
}
