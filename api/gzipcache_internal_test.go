package api

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/klauspost/compress/gzip"
)

func TestAcceptsGzip(t *testing.T) {
	for _, tc := range []struct {
		values []string
		want   bool
	}{
		{nil, false},
		{[]string{"gzip"}, true},
		{[]string{"br, GZIP;q=0.5"}, true},
		{[]string{"identity", "x-gzip"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.000"}, false},
		{[]string{"gzip;q=2"}, false},
		{[]string{"gzip;q=abc"}, false},
		{[]string{"*"}, false},
		{[]string{"deflate, br"}, false},
		{[]string{"gzipped"}, false},
	} {
		if got := acceptsGzip(tc.values); got != tc.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tc.values, got, tc.want)
		}
	}
}

func FuzzAcceptsGzip(f *testing.F) {
	for _, s := range []string{"gzip", "gzip;q=0.8, br", "x-gzip; Q=1", ";;,,", "gzip;q=", "*;q=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got := acceptsGzip([]string{v})
		// A field that names no gzip coding never accepts it.
		if got && !bytes.Contains(bytes.ToLower([]byte(v)), []byte("gzip")) {
			t.Fatalf("acceptsGzip(%q) without gzip in it", v)
		}
	})
}

// The cache answers what compressing would, and keeps to its budget by
// dropping its older generation.
func TestGzipCache(t *testing.T) {
	c := newGzipCache(4096)
	for i := range 200 {
		body := bytes.Repeat([]byte(fmt.Sprintf(`{"n": %d},`, i)), 50)
		etag := bodyETag(body)
		for range 2 {
			r, err := gzip.NewReader(bytes.NewReader(c.gzipped(etag, body)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("entry %d: got %d bytes back (%v), want %d", i, len(got), err, len(body))
			}
		}
		var held int
		for _, g := range c.cur {
			held += len(g)
		}
		for _, g := range c.prev {
			held += len(g)
		}
		if held > 4096 {
			t.Fatalf("after %d entries the cache holds %d bytes, over its 4096", i+1, held)
		}
	}
}
