package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"commonground/matching"
)

// decodeJSON reads the request body into dst strictly: JSON only, one
// object, no unknown fields, at most MaxBodyBytes. Its errors wrap
// matching.ErrInvalid (with the field named where there is one),
// errTooLarge or errNotAcceptable.
func decodeJSON(c *gin.Context, dst any) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	return DecodeStrict(body, dst)
}

// readJSONBody reads the request body, refusing a Content-Type other than
// JSON and a body over MaxBodyBytes (errNotAcceptable, errTooLarge).
func readJSONBody(c *gin.Context) ([]byte, error) {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, errNotAcceptable
		}
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, errTooLarge
		}
		return nil, fmt.Errorf("%w: could not read the request body", matching.ErrInvalid)
	}
	return body, nil
}

// DecodeStrict unmarshals one JSON value from body into dst, refusing
// unknown fields and trailing data. Errors wrap matching.ErrInvalid and
// name the offending field where JSON says which.
func DecodeStrict(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return matching.Invalid("", "request body is required (a JSON object)")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return matching.Invalid("", "unexpected data after the JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return matching.Invalid("", "unexpected data after the JSON object")
	}
	if field, ok := nulField(body); ok {
		return matching.Invalid(field, "must not contain NUL characters")
	}
	return nil
}

// nulField finds the first string in the JSON body that holds a NUL
// character, and returns the field it is in (offers[0].description). No
// database keeps NUL in text alike (PostgreSQL refuses it), so no text
// with one is taken. JSON can carry NUL only escaped, as \u0000.
func nulField(body []byte) (string, bool) {
	if !bytes.Contains(body, []byte(`\u0000`)) {
		return "", false
	}
	type frame struct {
		object  bool
		key     string // in an object: the current member
		index   int    // in an array: the current element
		wantKey bool
	}
	var stack []frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			switch {
			case !f.object:
				fmt.Fprintf(&b, "[%d]", f.index)
			case b.Len() > 0:
				b.WriteString("." + f.key)
			default:
				b.WriteString(f.key)
			}
		}
		return b.String()
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		top := len(stack) - 1
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:top]
			if top > 0 && stack[top-1].object {
				stack[top-1].wantKey = true
			}
			continue
		}
		if top >= 0 && stack[top].object && stack[top].wantKey {
			key, _ := tok.(string)
			if strings.ContainsRune(key, 0) {
				return path(), true
			}
			stack[top].key, stack[top].wantKey = key, false
			continue
		}
		if top >= 0 && !stack[top].object {
			stack[top].index++
		}
		switch v := tok.(type) {
		case json.Delim:
			stack = append(stack, frame{object: v == '{', wantKey: v == '{', index: -1})
			continue
		case string:
			if strings.ContainsRune(v, 0) {
				return path(), true
			}
		}
		if top >= 0 && stack[top].object {
			stack[top].wantKey = true
		}
	}
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var fe *fieldError
	switch {
	case errors.As(err, &fe):
		return matching.Invalid(fe.field, "%s", fe.msg)
	case errors.As(err, &syn):
		return matching.Invalid("", "malformed JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return matching.Invalid("", "the body must be a JSON object")
		}
		return matching.Invalid(field, "must be %s, not a JSON %s", jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return matching.Invalid("", "malformed JSON: the body ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return matching.Invalid(name, "unknown field")
	}
	return matching.Invalid("", "malformed JSON: %s", err.Error())
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "a list"
	case "struct", "map":
		return "an object"
	case "int", "int64", "int32":
		return "a whole number"
	case "float64", "float32":
		return "a number"
	}
	return "a " + k
}

// fieldError lets a custom UnmarshalJSON name its field's problem.
type fieldError struct{ field, msg string }

func (e *fieldError) Error() string { return e.field + ": " + e.msg }
