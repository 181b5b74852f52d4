package api_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"commonground/api"
	"commonground/matching"
)

// FuzzDecodeMessageBody checks the message body decoder: it never panics;
// it refuses with an error wrapping ErrInvalid; what it accepts came from
// valid JSON and is trimmed text of 1 to MaxMessageLength characters
// without NUL, which decodes to itself again.
func FuzzDecodeMessageBody(f *testing.F) {
	for _, s := range []string{
		`{"body": "hello"}`, `{"body": "  padded \n"}`, `{"body": ""}`, `{"body": " "}`, `{"body": null}`,
		`{"body": 5}`, `{"body": ["x"]}`, `{}`, `[]`, `null`, `"body"`, `{"body": "a\u0000b"}`,
		`{"body": "x", "extra": 1}`, `{"body": "x"} {}`, `{"body": "\ud800"}`, `{"Body": "case"}`,
		`{"body": "` + strings.Repeat("ü", matching.MaxMessageLength) + `"}`,
		`{"body": "` + strings.Repeat("a", matching.MaxMessageLength+1) + `"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		body, err := api.DecodeMessageBody(raw)
		if err != nil {
			if !errors.Is(err, matching.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if !json.Valid(raw) {
			t.Fatalf("accepted invalid JSON %q", raw)
		}
		n := utf8.RuneCountInString(body)
		if n < 1 || n > matching.MaxMessageLength || strings.ContainsRune(body, 0) || !utf8.ValidString(body) || strings.TrimSpace(body) != body {
			t.Fatalf("accepted body %q (%d characters)", body, n)
		}
		again, err := json.Marshal(map[string]string{"body": body})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := api.DecodeMessageBody(again); err != nil || got != body {
			t.Fatalf("round trip: got %q, %v; want %q", got, err, body)
		}
	})
}
