package seed

import (
	"errors"
	"reflect"
	"testing"
)

func collect(t *testing.T, opts ScaleOptions) []*Dataset {
	t.Helper()
	var batches []*Dataset
	if err := Generate(opts, func(d *Dataset) error {
		batches = append(batches, d)
		return nil
	}); err != nil {
		t.Fatalf("Generate(%+v): %v", opts, err)
	}
	return batches
}

func TestGenerateCounts(t *testing.T) {
	tests := []struct {
		spaces, batch int
	}{
		{0, 10}, {1, 10}, {7, 1}, {100, 10}, {1000, 64}, {2500, 0}, {333, 1000},
	}
	for _, tt := range tests {
		opts := ScaleOptions{Seed: 3, Spaces: tt.spaces, BatchSize: tt.batch}
		batches := collect(t, opts)
		size := tt.batch
		if size <= 0 {
			size = DefaultBatchSize
		}
		spaces, orgs, venues := 0, 0, 0
		for i, b := range batches {
			if len(b.Spaces) == 0 || len(b.Spaces) > size {
				t.Errorf("%+v: batch %d has %d spaces, want 1 to %d", opts, i, len(b.Spaces), size)
			}
			spaces += len(b.Spaces)
			orgs += len(b.Organisations)
			venues += len(b.Venues)
			checkDataset(t, b) // every reference resolves within its batch
		}
		if spaces != tt.spaces {
			t.Errorf("%+v: got %d spaces, want %d", opts, spaces, tt.spaces)
		}
		if tt.spaces >= 1000 {
			if r := float64(venues) / float64(orgs); r < 2.2 || r > 3.8 {
				t.Errorf("%+v: %.2f venues per organisation, want about 3", opts, r)
			}
			if r := float64(spaces) / float64(venues); r < 1.6 || r > 2.6 {
				t.Errorf("%+v: %.2f spaces per venue, want about 2", opts, r)
			}
		}
	}
}

func TestGenerateDeterministic(t *testing.T) {
	opts := ScaleOptions{Seed: 9, Spaces: 500, BatchSize: 100}
	a, b := collect(t, opts), collect(t, opts)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("Generate(%+v) differs between runs", opts)
	}
	opts.Seed = 10
	if c := collect(t, opts); reflect.DeepEqual(a, c) {
		t.Errorf("seeds 9 and 10 give the same data")
	}
}

func TestGenerateStopsOnEmitError(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	err := Generate(ScaleOptions{Seed: 1, Spaces: 1000, BatchSize: 50}, func(*Dataset) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("got error %v after %d calls, want %v after 1", err, calls, stop)
	}
}

func BenchmarkGenerate(b *testing.B) {
	const spaces = 100000
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if err := Generate(ScaleOptions{Seed: 1, Spaces: spaces}, func(d *Dataset) error {
			n += len(d.Spaces)
			return nil
		}); err != nil || n != spaces {
			b.Fatalf("got %d spaces, error %v", n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*spaces), "ns/space")
}
