package api

import (
	"bytes"
	"net/http"

	"github.com/gin-gonic/gin"
)

// conditionalGet gives every GET and HEAD answer a Cache-Control header and
// every successful one an ETag, honouring If-None-Match with 304:
//
//   - Cache-Control defaults to "no-cache" (a cache may keep the answer
//     but must revalidate it, which the ETag makes cheap), or to
//     "private, no-cache" when the request carries credentials (a token
//     or the session cookie), since the answer may depend on who asks.
//     Handlers that know better set their own (public documents, open
//     data, no-store for secrets and problems).
//   - A 200 answer whose handler set no ETag gets bodyETag of its body
//     (before compression; compress suffixes it), so lists, the taxonomy
//     and single resources all carry one.
//
// It buffers the answer to hash it: GET answers here are bounded pages.
// A 200 over compressMinSize to a client that accepts gzip is gzipped here,
// through gz, so that an answer asked for again is not compressed again
// (the compress middleware passes an answer with a Content-Encoding on).
func conditionalGet(gz *gzipCache) gin.HandlerFunc {
	return func(c *gin.Context) { conditional(c, gz) }
}

func conditional(c *gin.Context, gz *gzipCache) {
	if m := c.Request.Method; m != http.MethodGet && m != http.MethodHead {
		c.Next()
		return
	}
	cc := "no-cache"
	if c.GetHeader("Authorization") != "" {
		cc = "private, no-cache"
	} else if _, err := c.Request.Cookie(SessionCookie); err == nil {
		cc = "private, no-cache"
	}
	c.Header("Cache-Control", cc)

	orig := c.Writer
	bw := &bufferedWriter{ResponseWriter: orig, status: http.StatusOK}
	c.Writer = bw
	finished := false
	defer func() {
		c.Writer = orig
		if finished { // after a panic the recoverer answers, and the buffer goes
			bw.finish(c.Request, gz)
		}
	}()
	c.Next()
	finished = true
}

// bufferedWriter holds an answer until the handler is done.
type bufferedWriter struct {
	gin.ResponseWriter
	status int
	wrote  bool
	body   bytes.Buffer
}

func (w *bufferedWriter) WriteHeader(code int) {
	if code > 0 && !w.wrote {
		w.status = code
	}
}

func (w *bufferedWriter) WriteHeaderNow() { w.wrote = true }

func (w *bufferedWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.body.Write(b)
}

func (w *bufferedWriter) WriteString(s string) (int, error) {
	w.wrote = true
	return w.body.WriteString(s)
}

func (w *bufferedWriter) Status() int   { return w.status }
func (w *bufferedWriter) Written() bool { return w.wrote }

func (w *bufferedWriter) Size() int {
	if !w.wrote {
		return -1
	}
	return w.body.Len()
}

// Flush does nothing: the answer goes out whole when the handler is done.
func (w *bufferedWriter) Flush() {}

// finish sends the held answer, with its ETag, or 304 when If-None-Match
// names that ETag.
func (w *bufferedWriter) finish(r *http.Request, gz *gzipCache) {
	out := w.ResponseWriter
	h := out.Header()
	body := w.body.Bytes()
	if w.status == http.StatusOK && h.Get("ETag") == "" {
		etag := bodyETag(body)
		h.Set("ETag", etag)
		l, err := parseTagList("If-None-Match", r.Header.Values("If-None-Match"))
		if err == nil && l.matchWeak(etag) {
			h.Set("ETag", notModifiedTag(r, l.any, etag, len(body)))
			h.Del("Content-Length")
			out.WriteHeader(http.StatusNotModified)
			out.WriteHeaderNow()
			return
		}
	}
	// HEAD is never compressed, as gzhttp does not: it tells what a plain
	// GET would. gzhttp has set Vary already.
	if etag := h.Get("ETag"); gz != nil && w.status == http.StatusOK && len(etag) > 1 && h.Get("Content-Encoding") == "" &&
		gzipsAnswer(r, len(body)) {
		body = gz.gzipped(etag, body)
		h.Set("Content-Encoding", "gzip")
		h.Set("ETag", gzipTag(etag))
		h.Del("Content-Length")
	}
	out.WriteHeader(w.status)
	if len(body) > 0 {
		out.Write(body)
		return
	}
	out.WriteHeaderNow()
}
