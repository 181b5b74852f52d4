package api

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"commonground/matching"
)

func TestParseTagList(t *testing.T) {
	strong := func(s string) entityTag { return entityTag{opaque: s} }
	weak := func(s string) entityTag { return entityTag{opaque: s, weak: true} }
	tests := []struct {
		name   string
		values []string
		want   tagList
		bad    bool
	}{
		{"absent", nil, tagList{}, false},
		{"star", []string{"*"}, tagList{present: true, any: true}, false},
		{"star with spaces", []string{" * "}, tagList{present: true, any: true}, false},
		{"one", []string{`"abc"`}, tagList{present: true, tags: []entityTag{strong(`"abc"`)}}, false},
		{"empty tag", []string{`""`}, tagList{present: true, tags: []entityTag{strong(`""`)}}, false},
		{"weak", []string{`W/"abc"`}, tagList{present: true, tags: []entityTag{weak(`"abc"`)}}, false},
		{"list", []string{`"a", W/"b",  "c"`}, tagList{present: true, tags: []entityTag{strong(`"a"`), weak(`"b"`), strong(`"c"`)}}, false},
		{"comma inside a tag", []string{`"a,b", "c"`}, tagList{present: true, tags: []entityTag{strong(`"a,b"`), strong(`"c"`)}}, false},
		{"empty elements", []string{`, "a" ,, "b",`}, tagList{present: true, tags: []entityTag{strong(`"a"`), strong(`"b"`)}}, false},
		{"several header lines", []string{`"a"`, `W/"b"`}, tagList{present: true, tags: []entityTag{strong(`"a"`), weak(`"b"`)}}, false},
		{"obs-text", []string{"\"caf\xc3\xa9\""}, tagList{present: true, tags: []entityTag{strong("\"caf\xc3\xa9\"")}}, false},
		{"empty", []string{""}, tagList{}, true},
		{"only commas", []string{" , ,"}, tagList{}, true},
		{"unquoted", []string{"abc"}, tagList{}, true},
		{"unclosed", []string{`"abc`}, tagList{}, true},
		{"lower-case weak", []string{`w/"abc"`}, tagList{}, true},
		{"weak without a tag", []string{`W/`}, tagList{}, true},
		{"space inside", []string{`"a b"`}, tagList{}, true},
		{"control inside", []string{"\"a\x01\""}, tagList{}, true},
		{"DEL inside", []string{"\"a\x7f\""}, tagList{}, true},
		{"no comma between", []string{`"a" "b"`}, tagList{}, true},
		{"junk after", []string{`"a"x`}, tagList{}, true},
		{"star in a list", []string{`*, "a"`}, tagList{}, true},
		{"tag then star", []string{`"a", *`}, tagList{}, true},
		{"two stars", []string{`*`, `*`}, tagList{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTagList("If-Match", tt.values)
			if tt.bad {
				if err == nil || !errors.Is(err, matching.ErrInvalid) {
					t.Errorf("parseTagList(%q): got %+v, %v, want an error wrapping ErrInvalid", tt.values, got, err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseTagList(%q): got %+v, %v, want %+v", tt.values, got, err, tt.want)
			}
		})
	}
}

func TestTagListMatch(t *testing.T) {
	const etag = `"v1"`
	tests := []struct {
		header              string
		strong, weakMatches bool
	}{
		{`"v1"`, true, true},
		{`W/"v1"`, false, true},
		{`"v0", "v1"`, true, true},
		{`"v0", W/"v1"`, false, true},
		{`"v0"`, false, false},
		{`"V1"`, false, false},
		{`*`, true, true},
	}
	for _, tt := range tests {
		l, err := parseTagList("If-Match", []string{tt.header})
		if err != nil {
			t.Fatalf("parseTagList(%q): %v", tt.header, err)
		}
		if got := l.matchStrong(etag); got != tt.strong {
			t.Errorf("If-Match %s against %s: got %v, want %v", tt.header, etag, got, tt.strong)
		}
		if got := l.matchWeak(etag); got != tt.weakMatches {
			t.Errorf("If-None-Match %s against %s: got %v, want %v", tt.header, etag, got, tt.weakMatches)
		}
	}
	if (tagList{}).matchStrong(etag) || (tagList{}).matchWeak(etag) {
		t.Error("an absent header matches")
	}
}

// FuzzParseTagList holds the parser of If-Match and If-None-Match to the
// grammar: it never panics, every tag it returns is well formed, and
// writing the list out again parses back to the same list.
func FuzzParseTagList(f *testing.F) {
	for _, s := range []string{"*", `"a"`, `W/"a", "b"`, `"a,b"`, ` , "x" ,`, `"`, `W/`, `*, "a"`, "\"\xff\"", `"a" "b"`, ""} {
		f.Add(s, "")
	}
	f.Add(`"a"`, `W/"b"`)
	f.Fuzz(func(t *testing.T, a, b string) {
		values := []string{a}
		if b != "" {
			values = append(values, b)
		}
		l, err := parseTagList("If-None-Match", values)
		if err != nil {
			if !errors.Is(err, matching.ErrInvalid) {
				t.Fatalf("parseTagList(%q): error %v does not wrap ErrInvalid", values, err)
			}
			return
		}
		if !l.present {
			t.Fatalf("parseTagList(%q): not present", values)
		}
		if l.any == (len(l.tags) > 0) {
			t.Fatalf("parseTagList(%q): got %+v, want either * or tags", values, l)
		}
		written := make([]string, len(l.tags))
		for i, tag := range l.tags {
			o := tag.opaque
			if len(o) < 2 || o[0] != '"' || o[len(o)-1] != '"' || strings.ContainsAny(o[1:len(o)-1], "\" \t") {
				t.Fatalf("parseTagList(%q): malformed tag %q", values, o)
			}
			if !l.matchWeak(o) {
				t.Fatalf("parseTagList(%q): tag %+v does not match itself weakly", values, tag)
			}
			if got, want := l.matchStrong(o), hasStrong(l, o); got != want {
				t.Fatalf("parseTagList(%q): strong match of %s: got %v, want %v", values, o, got, want)
			}
			if tag.weak {
				o = "W/" + o
			}
			written[i] = o
		}
		if l.any {
			written = []string{"*"}
		}
		again, err := parseTagList("If-None-Match", []string{strings.Join(written, ", ")})
		if err != nil || !reflect.DeepEqual(again, l) {
			t.Fatalf("parseTagList(%q) = %+v; written out as %q it parses to %+v, %v", values, l, written, again, err)
		}
	})
}

// hasStrong reports whether l lists o as a strong tag.
func hasStrong(l tagList, o string) bool {
	for _, t := range l.tags {
		if !t.weak && t.opaque == o {
			return true
		}
	}
	return false
}
