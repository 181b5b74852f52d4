package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"commonground/matching"
)

// Single resources (an organisation, a venue, a space) carry a strong
// ETag: bodyETag of the JSON answer, so it changes whenever any byte of
// the answer does (an offer added to an organisation as much as a field
// of its own row) and two callers shown different answers (with contact
// details or without) hold different tags. A GET answers 304 to an
// If-None-Match naming it. A PATCH or DELETE with If-Match goes ahead
// only if the answer a GET would give that caller now carries one of the
// listed tags; the store compares inside the writing transaction, on the
// row it has locked, so no write can slip in between (see
// store.DB.UpdateOrganisation).

// errPreconditionFailed is an If-Match that names none of the resource's
// current tags: someone changed it since the client read it.
var errPreconditionFailed = errors.New("the resource has changed since you read it (If-Match names none of its current tags): GET it again for its ETag")

// entityTag is one entity-tag of an If-Match or If-None-Match list.
type entityTag struct {
	opaque string // with its quotes, as ETag headers carry it
	weak   bool
}

// tagList is a parsed If-Match or If-None-Match header.
type tagList struct {
	present bool // the header was sent
	any     bool // "*"
	tags    []entityTag
}

// parseTagList parses the field values of an If-Match or If-None-Match
// header (RFC 9110 §13.1.1, §13.1.2): "*", or a comma-separated list of
// entity-tags, each a quoted string of visible characters other than
// '"', optionally prefixed with "W/" (weak). Empty list elements are
// allowed, as everywhere in HTTP lists; a "*" mixed with tags is not. No
// values at all is no header. Its errors wrap matching.ErrInvalid.
func parseTagList(name string, values []string) (tagList, error) {
	var l tagList
	if len(values) == 0 {
		return l, nil
	}
	l.present = true
	bad := func(format string, args ...any) (tagList, error) {
		return tagList{}, matching.Invalid(name, format, args...)
	}
	s := strings.Join(values, ",")
	for {
		s = strings.TrimLeft(s, " \t")
		switch {
		case s == "":
			if !l.any && len(l.tags) == 0 {
				return bad("is empty: send an ETag in quotes, a list of them, or *")
			}
			return l, nil
		case s[0] == ',':
			s = s[1:]
			continue
		case s[0] == '*':
			if l.any || len(l.tags) > 0 {
				return bad("* must stand alone")
			}
			l.any, s = true, s[1:]
		default:
			if l.any {
				return bad("* must stand alone")
			}
			var t entityTag
			if rest, ok := strings.CutPrefix(s, "W/"); ok {
				t.weak, s = true, rest
			}
			if s == "" || s[0] != '"' {
				return bad("needs each entity tag in double quotes, such as %q", `"abc"`)
			}
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return bad("has an entity tag without its closing quote")
			}
			t.opaque = s[:end+2]
			for _, b := range []byte(t.opaque[1 : len(t.opaque)-1]) {
				if b < 0x21 || b == 0x7f { // etagc: %x21 / %x23-7E / obs-text
					return bad("has an entity tag with a character it may not hold")
				}
			}
			l.tags = append(l.tags, t)
			s = s[end+2:]
		}
		s = strings.TrimLeft(s, " \t")
		if s != "" && s[0] != ',' {
			return bad("must separate entity tags with commas")
		}
	}
}

// matchStrong reports whether etag satisfies an If-Match list: "*", or a
// listed tag equal to it by the strong comparison (neither weak).
func (l tagList) matchStrong(etag string) bool {
	if l.any {
		return true
	}
	for _, t := range l.tags {
		if !t.weak && t.opaque == etag {
			return true
		}
	}
	return false
}

// matchWeak reports whether etag satisfies an If-None-Match list, so that
// a GET answers 304: "*", or a listed tag equal to it by the weak
// comparison (W/ ignored).
func (l tagList) matchWeak(etag string) bool {
	if l.any {
		return true
	}
	for _, t := range l.tags {
		if t.opaque == etag {
			return true
		}
	}
	return false
}

// ifMatch parses the request's If-Match header (not present: no
// condition).
func ifMatch(c *gin.Context) (tagList, error) {
	return parseTagList("If-Match", c.Request.Header.Values("If-Match"))
}

// precondition returns a check for the store to run on the resource as
// it is inside the writing transaction: with If-Match, it renders the
// resource as the caller would get it now and refuses with
// errPreconditionFailed unless its ETag is listed. Without If-Match it is
// nil (no condition).
func precondition[T any](l tagList, render func(*T) any) func(*T) error {
	if !l.present {
		return nil
	}
	return func(x *T) error {
		etag, _, err := tagged(render(x))
		if err != nil {
			return err
		}
		if !l.matchStrong(etag) {
			return errPreconditionFailed
		}
		return nil
	}
}

// tagged encodes v as the JSON answer and returns its ETag with it.
func tagged(v any) (string, []byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return "", nil, fmt.Errorf("encode answer: %w", err)
	}
	return bodyETag(body), body, nil
}

// writeTagged answers status with v as JSON and its ETag, or, for a GET or
// HEAD whose If-None-Match lists that ETag, 304 with no body. A malformed
// If-None-Match is ignored: the client gets the whole answer.
func writeTagged(c *gin.Context, status int, v any) {
	etag, body, err := tagged(v)
	if err != nil {
		fail(c, err)
		return
	}
	writeTaggedBody(c, status, "application/json; charset=utf-8", etag, body)
}

// writeTaggedBody answers status with body and its ETag, or 304 as
// writeTagged does.
func writeTaggedBody(c *gin.Context, status int, contentType, etag string, body []byte) {
	c.Header("ETag", etag)
	if m := c.Request.Method; m == http.MethodGet || m == http.MethodHead {
		l, err := parseTagList("If-None-Match", c.Request.Header.Values("If-None-Match"))
		if err == nil && l.matchWeak(etag) {
			c.Header("ETag", notModifiedTag(c.Request, l.any, etag, len(body)))
			c.Status(http.StatusNotModified)
			return
		}
	}
	c.Data(status, contentType, body)
}
