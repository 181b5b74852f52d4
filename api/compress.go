package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
)

// compressMinSize is the smallest body worth compressing.
const compressMinSize = 1024

// gzipETagSuffix marks the ETag of a gzipped answer, inside its quotes:
// "abc" becomes "abc-gzip". The gzipped and the plain answer are different
// representations, so they may not share a strong tag (RFC 9110 §8.8.3).
const gzipETagSuffix = "-gzip"

// compress gzips answers over compressMinSize to clients whose
// Accept-Encoding allows it, adding Vary: Accept-Encoding and the ETag
// suffix. The handlers see and compare the tags of the plain answer: a
// suffixed tag in If-None-Match or If-Match is read without its suffix, so
// a tag from a gzipped answer validates as well as the plain one, and a
// 304 names the tag the client sent.
func compress() gin.HandlerFunc {
	wrap, err := gzhttp.NewWrapper(
		gzhttp.MinSize(compressMinSize),
		gzhttp.EnableZstd(false),
		gzhttp.SuffixETag(gzipETagSuffix),
		// The fastest level: answers are JSON that compresses about 5 to 1
		// even so, and the default level cost more CPU than building a
		// nearby answer (docs/benchmarks.md, "gzip").
		gzhttp.CompressionLevel(gzip.BestSpeed),
	)
	if err != nil {
		panic("gzhttp options: " + err.Error()) // fixed options: a programming error
	}
	return func(c *gin.Context) {
		sent := unsuffixTags(c.Request.Header, "If-None-Match")
		unsuffixTags(c.Request.Header, "If-Match")
		orig := c.Writer
		wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c.Writer = &compressWriter{ResponseWriter: orig, gz: w, status: orig.Status(), sent: sent}
			c.Next()
			c.Writer.WriteHeaderNow()
		})).ServeHTTP(orig, c.Request)
		c.Writer = orig
	}
}

// gzipsAnswer reports whether a 200 answer of n bytes to r goes out
// gzipped, under the ETag gzipTag makes (see bufferedWriter.finish): a GET
// (HEAD tells what a plain GET would), over compressMinSize, from a client
// that accepts gzip.
func gzipsAnswer(r *http.Request, n int) bool {
	return r.Method == http.MethodGet && n >= compressMinSize && acceptsGzip(r.Header.Values("Accept-Encoding"))
}

// gzipTag is the ETag of the gzipped answer whose plain one is etag.
func gzipTag(etag string) string { return etag[:len(etag)-1] + gzipETagSuffix + `"` }

// notModifiedTag is the ETag of a 304 for etag, the tag of the plain body
// of n bytes. A 304 names the tag a 200 would have carried for the same
// request: when the client listed the tag, compress names the one it sent
// (plain or gzipped); when it named none (noTag: If-None-Match: *, or a
// date in If-Modified-Since), the tag is the one the 200 would carry for
// the request's Accept-Encoding.
func notModifiedTag(r *http.Request, noTag bool, etag string, n int) string {
	if noTag && len(etag) > 1 && gzipsAnswer(r, n) {
		return gzipTag(etag)
	}
	return etag
}

// unsuffixTags removes gzipETagSuffix from each entity-tag of the named
// header, and returns the suffixed tags it changed.
func unsuffixTags(h http.Header, name string) []string {
	values := h.Values(name)
	if len(values) == 0 {
		return nil
	}
	var changed []string
	out := make([]string, len(values))
	for i, v := range values {
		parts := strings.Split(v, ",")
		for j, p := range parts {
			t := strings.TrimSpace(p)
			if base, ok := strings.CutSuffix(t, gzipETagSuffix+`"`); ok && len(base) > 1 {
				changed = append(changed, t)
				parts[j] = base + `"`
			}
		}
		out[i] = strings.Join(parts, ",")
	}
	if changed != nil {
		h[http.CanonicalHeaderKey(name)] = out
	}
	return changed
}

// compressWriter is gin's writer with the body going through gzhttp's. It
// keeps gin's ways: the status may change until the first byte is written.
type compressWriter struct {
	gin.ResponseWriter
	gz     http.ResponseWriter
	status int
	wrote  bool
	sent   []string // If-None-Match tags that carried gzipETagSuffix
}

func (w *compressWriter) WriteHeader(code int) {
	if !w.wrote && code > 0 {
		w.status = code
	}
}

func (w *compressWriter) WriteHeaderNow() {
	if w.wrote {
		return
	}
	w.wrote = true
	if w.status == http.StatusNotModified {
		// The client holds the gzipped answer: name its tag.
		if etag := w.Header().Get("ETag"); len(etag) > 1 {
			suffixed := gzipTag(etag)
			for _, t := range w.sent {
				if strings.TrimPrefix(t, "W/") == strings.TrimPrefix(suffixed, "W/") {
					w.Header().Set("ETag", suffixed)
					break
				}
			}
		}
	}
	w.gz.WriteHeader(w.status)
}

func (w *compressWriter) Write(b []byte) (int, error) {
	w.WriteHeaderNow()
	return w.gz.Write(b)
}

func (w *compressWriter) WriteString(s string) (int, error) {
	return w.Write([]byte(s))
}

func (w *compressWriter) Status() int { return w.status }

func (w *compressWriter) Written() bool { return w.wrote }

func (w *compressWriter) Flush() {
	w.WriteHeaderNow()
	if f, ok := w.gz.(http.Flusher); ok {
		f.Flush()
	}
}
