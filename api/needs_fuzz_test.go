package api_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"commonground/api"
	"commonground/matching"
	"commonground/seed"
)

var needSeeds = []string{
	`{"category": "space.dance-studio", "group_size": 24, "activity": "contemporary", "max_pence_per_hour": 4000,
	  "windows": [{"day": "tue", "start": "18:00", "end": "20:00"}, {"day": "sat", "start": "10:00", "end": "24:00"}]}`,
	`{"category": "space.hall", "windows": []}`,
	`{"category": "space.hall", "windows": null}`,
	`{"category": "skill.dance-teaching", "windows": [{"day": "mon", "start": "09:00", "end": "10:00"}]}`,
	`{"category": "space.hall", "windows": [{"day": "Mon", "start": "9:00", "end": "10:00"}]}`,
	`{"category": "space.hall", "windows": [{"day": "mon", "start": "24:00", "end": "24:00"}]}`,
	`{"category": "space.hall", "windows": [{"day": "mon", "start": "10:00", "end": "09:59"}]}`,
	`{"category": "space.hall", "windows": [{"day": "mon", "start": "10:00", "end": "12:00"}, {"day": "mon", "start": "11:00", "end": "13:00"}]}`,
	`{"category": "space.hall", "windows": [{"day": "mon", "start": "10:00", "end": "12:00", "extra": true}]}`,
	`{"category": "space.hall", "windows": [{"day": 1, "start": 600, "end": 720}]}`,
	`{"category": "space.hall", "windows": "mondays", "group_size": "ten"}`,
	`{"category": "space.hall", "group_size": 1e9, "max_pence_per_hour": -1, "activity": "juggling"}`,
	`{"category": "space.hall", "windows": [{"day": "mon", "start": "1０:00", "end": "12:00"}]}`,
}

// FuzzNeedWindows checks the need decoder, windows above all: it never
// panics, refuses with field errors, and accepts only needs that
// validate, whose windows are well formed, and that read back the same
// once rendered.
func FuzzNeedWindows(f *testing.F) {
	for _, s := range append(needSeeds, ``, `{}`, `null`, `[]`) {
		f.Add([]byte(s))
	}
	tax := seed.Taxonomy()
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := api.ParseNeed(body, tax)
		if err != nil {
			var ve *matching.ValidationError
			if !errors.Is(err, matching.ErrInvalid) || !errors.As(err, &ve) || len(ve.Errors) == 0 {
				t.Fatalf("ParseNeed(%q): got %v (%T), want a ValidationError", body, err, err)
			}
			return
		}
		if err := n.Validate(tax); err != nil {
			t.Fatalf("ParseNeed(%q) accepted a need that does not validate: %v", body, err)
		}
		if len(n.Windows) > matching.MaxNeedWindows || (len(n.Windows) > 0 && !matching.IsSpaceCategory(n.Category)) {
			t.Fatalf("ParseNeed(%q): accepted %d windows on %s", body, len(n.Windows), n.Category)
		}
		for i, w := range n.Windows {
			if w.Day.Time() < 0 || w.Start < 0 || w.End <= w.Start || w.End > 1440 {
				t.Fatalf("ParseNeed(%q): accepted window %d %+v", body, i, w)
			}
			for j := range i {
				if o := n.Windows[j]; o.Day == w.Day && o.Start < w.End && w.Start < o.End {
					t.Fatalf("ParseNeed(%q): accepted overlapping windows %d and %d", body, j, i)
				}
			}
		}
		// Rendered and sent again, it is the same need.
		out, err := json.Marshal(api.RenderNeed(&n))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"id", "organisation_id", "created_at"} {
			delete(m, k)
		}
		again, _ := json.Marshal(m)
		back, err := api.ParseNeed(again, tax)
		if err != nil {
			t.Fatalf("ParseNeed(%q) accepted, its rendering %s refused: %v", body, again, err)
		}
		if back.Category != n.Category || back.GroupSize != n.GroupSize || back.Activity != n.Activity ||
			back.MaxPencePerHour != n.MaxPencePerHour || !slices.Equal(back.Windows, n.Windows) {
			t.Fatalf("ParseNeed(%q) = %+v, but its rendering %s reads back %+v", body, n, again, back)
		}
	})
}
