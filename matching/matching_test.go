package matching

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

func testTaxonomy() *Taxonomy {
	terms := func(slugs ...string) []Term {
		out := make([]Term, len(slugs))
		for i, s := range slugs {
			out[i] = Term{Slug: s, Label: s}
		}
		return out
	}
	return NewTaxonomy(
		terms("space.dance-studio", "space.hall", "skill.youth-work"),
		terms("animal-welfare", "inclusion", "environmental-sustainability"),
		terms("animal-testing", "fossil-fuel-sponsorship", "gambling-sponsorship"),
		terms("ballet", "tap", "aerial", "contemporary"),
		[]Conflict{{"animal-welfare", "animal-testing"}, {"environmental-sustainability", "fossil-fuel-sponsorship"}},
	)
}

func TestFitToDance(t *testing.T) {
	best := Space{Floor: FloorSprung, FloorAreaM2: 120, ClimateControl: true, Mirrors: true, Barres: true}
	tests := []struct {
		name string
		edit func(s *Space)
		want int
		lost []string // the criteria of the breakdown, in order
	}{
		{"charter studio", func(s *Space) {}, 5, nil},
		{"semi-sprung floor", func(s *Space) { s.Floor = FloorSemiSprung }, 4, []string{CriterionFloor}},
		{"wood floor", func(s *Space) { s.Floor = FloorWood }, 3, []string{CriterionFloor}},
		{"just under 75 m²", func(s *Space) { s.FloorAreaM2 = 74.9 }, 4, []string{CriterionFloorArea}},
		{"exactly 75 m²", func(s *Space) { s.FloorAreaM2 = 75 }, 5, nil},
		{"no climate control", func(s *Space) { s.ClimateControl = false }, 4, []string{CriterionClimate}},
		{"pillar", func(s *Space) { s.Obstructions = true }, 4, []string{CriterionObstructions}},
		{"mirrors only", func(s *Space) { s.Barres = false }, 5, nil},
		{"neither barres nor mirrors", func(s *Space) { s.Barres, s.Mirrors = false, false }, 4, []string{CriterionBarresMirror}},
		{"every fault, never below 0", func(s *Space) {
			*s = Space{Floor: FloorCarpet, FloorAreaM2: 30, Obstructions: true}
		}, 0, []string{CriterionFloor, CriterionFloorArea, CriterionClimate, CriterionObstructions, CriterionBarresMirror}},
		{"semi-sprung small hall", func(s *Space) { s.Floor, s.FloorAreaM2 = FloorSemiSprung, 60 }, 3, []string{CriterionFloor, CriterionFloorArea}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := best
			tt.edit(&s)
			if got := s.FitToDance(); got != tt.want {
				t.Errorf("got %d stars, want %d", got, tt.want)
			}
			var got []string
			lost := 0
			for _, l := range s.FitToDanceBreakdown() {
				got = append(got, l.Criterion)
				lost += l.StarsLost
				if l.Detail == "" {
					t.Errorf("%s: no detail", l.Criterion)
				}
			}
			if !slices.Equal(got, tt.lost) {
				t.Errorf("breakdown criteria %v, want %v", got, tt.lost)
			}
			if tt.want > 0 && lost != 5-tt.want {
				t.Errorf("breakdown loses %d stars, want %d", lost, 5-tt.want)
			}
		})
	}
}

func TestCompatible(t *testing.T) {
	tax := testTaxonomy()
	charity := &Organisation{Values: []string{"animal-welfare"}}
	lab := &Organisation{Practices: []string{"animal-testing"}}
	oilSponsored := &Organisation{Practices: []string{"fossil-fuel-sponsorship"}}
	strict := &Organisation{Exclusions: []string{"gambling-sponsorship"}}
	bookie := &Organisation{Practices: []string{"gambling-sponsorship"}}
	plain := &Organisation{}
	tests := []struct {
		name string
		a, b *Organisation
		want bool
	}{
		{"value conflicts with practice", charity, lab, false},
		{"exclusion names practice", strict, bookie, false},
		{"unrelated practice", charity, oilSponsored, true},
		{"nothing to object to", plain, lab, true},
		{"self", charity, charity, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tax.Compatible(tt.a, tt.b); got != tt.want {
				t.Errorf("Compatible(a, b) = %v, want %v", got, tt.want)
			}
			if got := tax.Compatible(tt.b, tt.a); got != tt.want {
				t.Errorf("Compatible(b, a) = %v, want %v (must be symmetric)", got, tt.want)
			}
		})
	}
}

func TestParseClock(t *testing.T) {
	good := map[string]ClockTime{"00:00": 0, "09:30": 570, "23:59": 1439, "24:00": 1440}
	for s, want := range good {
		got, err := ParseClock(s)
		if err != nil || got != want {
			t.Errorf("ParseClock(%q) = %v, %v; want %v", s, got, err, want)
		}
		if got.String() != s {
			t.Errorf("ClockTime(%d).String() = %q, want %q", got, got.String(), s)
		}
	}
	for _, s := range []string{"", "9:00", "09:60", "24:01", "25:00", "0900", "09:00:00", "ab:cd", "-1:00", "09.00"} {
		if _, err := ParseClock(s); err == nil {
			t.Errorf("ParseClock(%q): got no error, want one", s)
		}
	}
}

func TestWeekday(t *testing.T) {
	for _, d := range Days {
		if WeekdayOf(d.Time()) != d {
			t.Errorf("WeekdayOf(%q.Time()) = %q", d, WeekdayOf(d.Time()))
		}
	}
	if Weekday("tue").Time() != time.Tuesday {
		t.Errorf("tue is %v, want Tuesday", Weekday("tue").Time())
	}
	if _, err := ParseWeekday("funday"); err == nil {
		t.Error("ParseWeekday(funday): want an error")
	}
}

func validSpace() Space {
	return Space{
		Name: "Main hall", Kind: "hall", Capacity: 80, FloorAreaM2: 150, CeilingHeightM: 5, Floor: FloorWood,
		ProhibitedActivities: []string{"aerial"},
		Prices:               []Price{{"community", 1500}, {"standard", 2500}},
		OpeningHours:         []OpeningHours{{"mon", 540, 1320}, {"sat", 600, 1440}},
		Closures:             []Closure{{Start: time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 27, 0, 0, 0, 0, time.UTC)}},
	}
}

func fields(err error) []string {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	out := make([]string, len(ve.Errors))
	for i, fe := range ve.Errors {
		out[i] = fe.Field
	}
	return out
}

func TestSpaceValidate(t *testing.T) {
	tax := testTaxonomy()
	tests := []struct {
		name      string
		edit      func(s *Space)
		wantField string // "" for valid
	}{
		{"valid", func(s *Space) {}, ""},
		{"no name", func(s *Space) { s.Name = "" }, "name"},
		{"unknown kind", func(s *Space) { s.Kind = "ballroom" }, "kind"},
		{"zero capacity", func(s *Space) { s.Capacity = 0 }, "capacity"},
		{"no floor area", func(s *Space) { s.FloorAreaM2 = 0 }, "floor_area_m2"},
		{"negative ceiling", func(s *Space) { s.CeilingHeightM = -1 }, "ceiling_height_m"},
		{"unknown floor", func(s *Space) { s.Floor = "lava" }, "floor"},
		{"unknown activity", func(s *Space) { s.ProhibitedActivities = []string{"moshing"} }, "prohibited_activities[0]"},
		{"unknown tier", func(s *Space) { s.Prices[0].Tier = "vip" }, "prices[0].tier"},
		{"tier twice", func(s *Space) { s.Prices[1].Tier = "community" }, "prices[1].tier"},
		{"negative price", func(s *Space) { s.Prices[0].PencePerHour = -1 }, "prices[0].pence_per_hour"},
		{"closes before opens", func(s *Space) { s.OpeningHours[0].Closes = 500 }, "opening_hours[0].closes"},
		{"closes equals opens", func(s *Space) { s.OpeningHours[0].Closes = 540 }, "opening_hours[0].closes"},
		{"unknown day", func(s *Space) { s.OpeningHours[0].Day = "funday" }, "opening_hours[0].day"},
		{"overlapping periods", func(s *Space) {
			s.OpeningHours = append(s.OpeningHours, OpeningHours{"mon", 1200, 1380})
		}, "opening_hours[2]"},
		{"closure ends before start", func(s *Space) { s.Closures[0].End = s.Closures[0].Start.Add(-time.Hour) }, "closures[0].end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validSpace()
			tt.edit(&s)
			err := s.Validate(tax)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want an error wrapping ErrInvalid", err)
			}
			if got := fields(err); len(got) == 0 || got[0] != tt.wantField {
				t.Errorf("got fields %v, want %s first", got, tt.wantField)
			}
		})
	}
}

func TestOrganisationValidateNamesUnknownSlugs(t *testing.T) {
	tax := testTaxonomy()
	o := Organisation{Name: "Fenland Dance", Type: OrgArts, Location: orb.Point{0.1, 52.5},
		Values: []string{"inclusion", "kindness"}, Practices: []string{"juggling"}, Exclusions: []string{"animal-testing", "animal-testing"}}
	err := o.Validate(tax)
	msg := err.Error()
	for _, want := range []string{`"kindness"`, `"juggling"`, "values[1]", "practices[0]", "exclusions[1]"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not name %s", msg, want)
		}
	}
	o.Type = "guild"
	if got := fields(o.Validate(tax)); len(got) == 0 || got[0] != "type" {
		t.Errorf("got fields %v, want type first", got)
	}
}

func TestVenueValidateTimezone(t *testing.T) {
	for zone, ok := range map[string]bool{"Europe/London": true, "UTC": true, "Local": false, "": false, "Mars/Olympus": false, "../../etc/passwd": false} {
		v := Venue{Name: "Hall", Timezone: zone}
		if err := v.Validate(); (err == nil) != ok {
			t.Errorf("timezone %q: got %v, want valid=%v", zone, err, ok)
		}
	}
}

func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"09:00", "24:00", "24:01", "9:00", "", "\x00\x00:\x00\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseClock(s)
		if err != nil {
			return
		}
		if c < 0 || c > 1440 {
			t.Fatalf("ParseClock(%q) = %d, out of range", s, c)
		}
		if c.String() != s {
			t.Fatalf("ParseClock(%q) = %d, which formats as %q", s, c, c.String())
		}
	})
}
