package main

import (
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args []string
		ok   bool
	}{
		{nil, true},
		{[]string{"-clients", "0"}, false},
		{[]string{"-duration", "10m"}, false},
		{[]string{"-idle", "500ms"}, false},
		{[]string{"-hammer", "http://127.0.0.1:8080"}, true},
		{[]string{"-hammer", "http://example.com"}, false},
	}
	for _, tt := range tests {
		_, err := parseFlags(tt.args)
		if got := err == nil; got != tt.ok {
			t.Errorf("parseFlags(%q): got error %v, want ok %v", tt.args, err, tt.ok)
		}
	}
}

func TestPct(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(101-i)*time.Millisecond)
	}
	tests := []struct {
		p    int
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}}
	for _, tt := range tests {
		if got := pct(d, tt.p); got != tt.want {
			t.Errorf("pct(1..100 ms, %d) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if got := pct(nil, 99); got != 0 {
		t.Errorf("pct(nil, 99) = %v, want 0", got)
	}
}

func TestSchedP99(t *testing.T) {
	s := sched{counts: []uint64{90, 9, 1}, buckets: []float64{0, 0.001, 0.01, 0.1}}
	if got, want := s.p99(), 10*time.Millisecond; got != want {
		t.Errorf("p99 = %v, want %v", got, want)
	}
	before := sched{counts: []uint64{90, 0, 0}, gcs: 1}
	s.gcs = 3
	d := s.since(before)
	if d.counts[0] != 0 || d.counts[1] != 9 || d.gcs != 2 {
		t.Errorf("since: got counts %v, %d GCs; want [0 9 1], 2", d.counts, d.gcs)
	}
}
