package web

import (
	"strings"
	"testing"

	"commonground/matching"
)

func TestWords(t *testing.T) {
	tests := []struct{ got, want string }{
		{pounds(1250), "£12.50"},
		{pounds(800), "£8"},
		{pounds(5), "£0.05"},
		{km(3.25), "3.2 km"},
		{km(12), "12.0 km"},
		{when("2027-07-06T17:00:00Z"), "Tue 6 Jul 2027, 18:00"}, // summer time
		{when("2027-01-05T18:00:00Z"), "Tue 5 Jan 2027, 18:00"},
		{span("2027-01-05T18:00:00Z", "2027-01-05T20:00:00Z"), "Tue 5 Jan 2027, 18:00 to 20:00"},
		{clash(matching.ReasonBooked), "already booked"},
		{clash(matching.ReasonBeyondHorizon), "too far ahead to book yet"},
		{plural(1, "room", "rooms"), "1 room"},
		{plural(3, "room", "rooms"), "3 rooms"},
		{sentence("£30 an hour"), "£30 an hour."},
		{sentence("éclair"), "Éclair."},
		{cleanDetail("unauthorized: the email or password is not right", ""), "The email or password is not right."},
		{cleanDetail("evaluation: conflict: this organisation has evaluated already", ""), "This organisation has evaluated already."},
		{cleanDetail("the room: conflict: kept as it is", ""), "The room: conflict: kept as it is."},
		{cleanDetail("", "Conflict"), "Conflict."},
		{localPath("//evil.example/x", "/dashboard"), "/dashboard"},
		{localPath("/\\evil.example", "/dashboard"), "/dashboard"},
		{localPath("https://evil.example", "/dashboard"), "/dashboard"},
		{localPath("/spaces/1#book", "/dashboard"), "/spaces/1#book"},
		{tileSource(DefaultTileURL), "https://tile.openstreetmap.org"},
		{tileSource("https://{s}.tiles.example.org/{z}/{x}/{y}{r}.png"), "https://*.tiles.example.org"},
		{tileSource("https://a.example.org/{z}/{x}/{y}.png"), "https://a.example.org"},
		{tileSource(""), ""},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// TestExcludedSentence: every reason the matcher counts has words, in the
// matcher's order, with one and several.
func TestExcludedSentence(t *testing.T) {
	got := excludedSentence(map[string]int{matching.ExcludedTooFar: 12, matching.ExcludedUnavailable: 3, matching.ExcludedTooSmall: 1})
	want := "12 rooms were too far; 1 room was too small for your group; 3 rooms were closed or booked on some of your dates."
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got := excludedSentence(map[string]int{}); got != "" {
		t.Errorf("nothing excluded: got %q", got)
	}
	for _, r := range matching.ExclusionOrder {
		if _, ok := exclusionPhrases[r]; !ok {
			t.Errorf("exclusion reason %q has no words", r)
		}
		if s := excludedSentence(map[string]int{r: 2}); strings.Contains(s, "_") {
			t.Errorf("%s: %q shows a slug", r, s)
		}
	}
}
