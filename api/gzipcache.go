package api

import (
	"bytes"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// gzipCache keeps the gzipped bodies of recent GET answers by their ETag
// (a hash of the plain body and its length), so an answer many clients ask
// for while nothing changes (nearby around a town centre, a feed page, the
// taxonomy) is compressed once, not once per request. It holds two
// generations of at most half its budget each: a lookup finds either, a
// new entry goes into the current one, and when that is full it becomes
// the previous one and the oldest is dropped.
type gzipCache struct {
	mu        sync.Mutex
	cur, prev map[string][]byte
	curBytes  int
	half      int
}

// gzipCacheBytes is the cache's budget.
const gzipCacheBytes = 16 << 20

func newGzipCache(budget int) *gzipCache {
	return &gzipCache{cur: map[string][]byte{}, prev: map[string][]byte{}, half: budget / 2}
}

// gzipped returns body gzipped, from the cache when an answer with etag
// was compressed before.
func (c *gzipCache) gzipped(etag string, body []byte) []byte {
	c.mu.Lock()
	gz, ok := c.cur[etag]
	if !ok {
		gz, ok = c.prev[etag]
	}
	c.mu.Unlock()
	if ok {
		return gz
	}
	gz = gzipBody(body)
	if len(gz) > c.half {
		return gz
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.curBytes+len(gz) > c.half {
		c.prev, c.cur, c.curBytes = c.cur, map[string][]byte{}, 0
	}
	c.cur[etag] = gz
	c.curBytes += len(gz)
	return gz
}

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed) // a valid level: no error
	return w
}}

// gzipBody compresses body at the fastest level.
func gzipBody(body []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(body)/4 + 64)
	w := gzipWriters.Get().(*gzip.Writer)
	w.Reset(&b)
	w.Write(body)
	w.Close()
	gzipWriters.Put(w)
	return b.Bytes()
}

// acceptsGzip reports whether an Accept-Encoding field (RFC 9110 §12.5.3)
// names gzip (or x-gzip) with a non-zero quality. A wildcard does not
// count, as with the compress middleware.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			name = strings.ToLower(strings.TrimSpace(name))
			if name != "gzip" && name != "x-gzip" {
				continue
			}
			q := 1.0
			for p := range strings.SplitSeq(params, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
					if err != nil || f < 0 || f > 1 {
						f = 0 // malformed: not acceptable
					}
					q = f
				}
			}
			return q > 0
		}
	}
	return false
}
