package matching

import (
	"fmt"
	"unicode/utf8"
)

func checkName(ve *ValidationError, field, s string) {
	if s == "" {
		ve.Add(field, "is required")
		return
	}
	checkText(ve, field, s, MaxNameLen)
}

func checkText(ve *ValidationError, field, s string, max int) {
	if !utf8.ValidString(s) {
		ve.Add(field, "must be valid UTF-8")
		return
	}
	if n := utf8.RuneCountInString(s); n > max {
		ve.Add(field, "must be at most %d characters (got %d)", max, n)
	}
	for _, r := range s {
		if r == 0 {
			ve.Add(field, "must not contain NUL characters")
			return
		}
	}
}

// checkSlugs reports unknown and repeated slugs in a list, naming each.
func checkSlugs(ve *ValidationError, field string, slugs []string, known func(string) bool, what string) {
	if len(slugs) > MaxListLen {
		ve.Add(field, "must have at most %d entries", MaxListLen)
		return
	}
	seen := map[string]bool{}
	for i, s := range slugs {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case !known(s):
			ve.Add(f, "unknown %s %q", what, s)
		case seen[s]:
			ve.Add(f, "%q is listed twice", s)
		}
		seen[s] = true
	}
}
