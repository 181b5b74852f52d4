package openactive_test

import (
	"errors"
	"net/url"
	"testing"

	"commonground/matching"
	"commonground/openactive"
)

func TestParseCursor(t *testing.T) {
	tests := []struct {
		query string
		want  openactive.Cursor
		field string // the parameter a 400 names; "" when it parses
	}{
		{"", openactive.Cursor{}, ""},
		{"afterTimestamp=12&afterId=abc", openactive.Cursor{Set: true, Modified: 12, ID: "abc"}, ""},
		{"afterTimestamp=0&afterId=a%2F20270105T1800Z", openactive.Cursor{Set: true, Modified: 0, ID: "a/20270105T1800Z"}, ""},
		{"afterTimestamp=12", openactive.Cursor{}, "afterId"},
		{"afterId=abc", openactive.Cursor{}, "afterTimestamp"},
		{"afterTimestamp=-1&afterId=a", openactive.Cursor{}, "afterTimestamp"},
		{"afterTimestamp=%2B1&afterId=a", openactive.Cursor{}, "afterTimestamp"},
		{"afterTimestamp=1.5&afterId=a", openactive.Cursor{}, "afterTimestamp"},
		{"afterTimestamp=1234567890123456789&afterId=a", openactive.Cursor{}, "afterTimestamp"},
		{"afterTimestamp=&afterId=a", openactive.Cursor{}, "afterTimestamp"},
		{"afterTimestamp=1&afterTimestamp=2&afterId=a", openactive.Cursor{}, "afterTimestamp"},
		{"afterTimestamp=1&afterId=", openactive.Cursor{}, "afterId"},
		{"afterTimestamp=1&afterId=a%00b", openactive.Cursor{}, "afterId"},
		{"afterTimestamp=1&afterId=%FF", openactive.Cursor{}, "afterId"},
		{"afterTimestamp=1&afterId=a&afterId=b", openactive.Cursor{}, "afterId"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := openactive.ParseCursor(q)
			if tt.field == "" {
				if err != nil || got != tt.want {
					t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
				}
				return
			}
			var ve *matching.ValidationError
			if !errors.As(err, &ve) || len(ve.Errors) != 1 || ve.Errors[0].Field != tt.field {
				t.Fatalf("got %+v, %v; want an error naming %s", got, err, tt.field)
			}
			if !errors.Is(err, matching.ErrInvalid) {
				t.Errorf("%v does not wrap ErrInvalid", err)
			}
		})
	}
}

// FuzzParseCursor: any query parses or is refused as invalid, and a
// cursor that parses survives the trip through a next link.
func FuzzParseCursor(f *testing.F) {
	for _, s := range []string{"", "afterTimestamp=12&afterId=abc", "afterTimestamp=1&afterId=a%2Fb", "afterId=x",
		"afterTimestamp=99999999999999999&afterId=%F0%9F%92%83", "afterTimestamp=1&afterId=a&afterId=b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		c, err := openactive.ParseCursor(q)
		if err != nil {
			if !errors.Is(err, matching.ErrInvalid) {
				t.Fatalf("%q: error %v is not ErrInvalid", raw, err)
			}
			return
		}
		if !c.Set {
			return
		}
		next := openactive.PageURL("https://cg.example/f", c)
		u, err := url.Parse(next)
		if err != nil {
			t.Fatalf("%q: next %q: %v", raw, next, err)
		}
		back, err := openactive.ParseCursor(u.Query())
		if err != nil || back != c {
			t.Fatalf("%q: %+v came back as %+v, %v", raw, c, back, err)
		}
	})
}
