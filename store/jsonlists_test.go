package store_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"commonground/matching"
	"commonground/store"
)

// The stored shapes of the list columns, written out again here so the
// test does not trust the code it checks.
type (
	refPrice struct {
		Tier         string `json:"tier"`
		PencePerHour int    `json:"pence_per_hour"`
	}
	refHours struct {
		Day    string `json:"day"`
		Opens  int    `json:"opens"`
		Closes int    `json:"closes"`
	}
	refWindow struct {
		Day   string `json:"day"`
		Start int    `json:"start"`
		End   int    `json:"end"`
	}
	refClosure struct {
		Start  time.Time `json:"start"`
		End    time.Time `json:"end"`
		Reason string    `json:"reason,omitempty"`
	}
)

// refParse decodes text with encoding/json, as gorm's reads of the columns
// do.
func refParse(kind string, text []byte) (any, error) {
	switch kind {
	case "strings":
		var v []string
		if err := json.Unmarshal(text, &v); err != nil {
			return nil, err
		}
		if v == nil {
			v = []string{}
		}
		return v, nil
	case "prices":
		var v []refPrice
		if err := json.Unmarshal(text, &v); err != nil {
			return nil, err
		}
		out := make([]matching.Price, len(v))
		for i, x := range v {
			out[i] = matching.Price{Tier: matching.Tier(x.Tier), PencePerHour: x.PencePerHour}
		}
		return out, nil
	case "hours":
		var v []refHours
		if err := json.Unmarshal(text, &v); err != nil {
			return nil, err
		}
		out := make([]matching.OpeningHours, len(v))
		for i, x := range v {
			out[i] = matching.OpeningHours{Day: matching.Weekday(x.Day), Opens: matching.ClockTime(x.Opens), Closes: matching.ClockTime(x.Closes)}
		}
		return out, nil
	case "windows":
		var v []refWindow
		if err := json.Unmarshal(text, &v); err != nil {
			return nil, err
		}
		out := make([]matching.Window, len(v))
		for i, x := range v {
			out[i] = matching.Window{Day: matching.Weekday(x.Day), Start: matching.ClockTime(x.Start), End: matching.ClockTime(x.End)}
		}
		return out, nil
	case "closures":
		var v []refClosure
		if err := json.Unmarshal(text, &v); err != nil {
			return nil, err
		}
		out := make([]matching.Closure, len(v))
		for i, x := range v {
			out[i] = matching.Closure{Start: x.Start.UTC(), End: x.End.UTC(), Reason: x.Reason}
		}
		return out, nil
	}
	panic(kind)
}

var listKinds = []string{"strings", "prices", "hours", "closures", "windows"}

// checkListColumn fails t unless the bulk readers' decoding of text
// agrees with encoding/json's: the same value, or both an error.
func checkListColumn(t *testing.T, kind string, text []byte) {
	t.Helper()
	want, wantErr := refParse(kind, text)
	got, err := store.ParseListColumn(kind, text)
	switch {
	case (err != nil) != (wantErr != nil):
		t.Errorf("%s %q: got error %v, encoding/json's %v", kind, text, err, wantErr)
	case err == nil && !reflect.DeepEqual(got, want):
		t.Errorf("%s %q:\n got %#v\nwant %#v", kind, text, got, want)
	}
}

var listSamples = []struct{ kind, text string }{
	{"strings", `[]`},
	{"strings", `["aerial","tap"]`},
	{"strings", `["café","ünïcode","日本"]`},
	{"strings", `null`},
	{"strings", ` [ "spaced" , "out" ] `},
	{"strings", `["esc\"aped","\u0041","tab\t"]`},
	{"strings", "[\"bad utf8 \xff\"]"},
	{"strings", `["trailing",]`},
	{"strings", `["a"]x`},
	{"strings", `[null]`},
	{"strings", `[1]`},
	{"strings", ``},
	{"prices", `[{"tier":"community","pence_per_hour":1500},{"tier":"standard","pence_per_hour":0}]`},
	{"prices", `[{"pence_per_hour":1500,"tier":"community"}]`},
	{"prices", `[{"tier":"community","pence_per_hour":-12}]`},
	{"prices", `[{"tier":"community","pence_per_hour":012}]`},
	{"prices", `[{"tier":"community","pence_per_hour":1.5}]`},
	{"prices", `[{"tier":"community","pence_per_hour":1e3}]`},
	{"prices", `[{"tier":"community","pence_per_hour":123456789012345678901}]`},
	{"prices", `[{"Tier":"community","pence_per_hour":1}]`},
	{"prices", `[{"tier":"community","pence_per_hour":1,"extra":true}]`},
	{"prices", `[{}]`},
	{"hours", `[{"day":"mon","opens":540,"closes":1050},{"day":"sat","opens":600,"closes":1440}]`},
	{"hours", `[{"day":"mon","opens":540}]`},
	{"hours", `[{"day":"mon","closes":1050,"opens":540}]`},
	{"windows", `[]`},
	{"windows", `[{"day":"tue","start":1080,"end":1200},{"day":"sat","start":600,"end":1440}]`},
	{"windows", `[{"day":"tue","end":1200,"start":1080}]`},
	{"windows", `[{"day":"tue","start":1080}]`},
	{"windows", `[{"day":"tue","start":1080,"end":1200,"extra":1}]`},
	{"windows", `null`},
	{"closures", `[]`},
	{"closures", `[{"start":"2026-08-30T23:00:00Z","end":"2026-08-31T23:00:00Z","reason":"bank holiday"}]`},
	{"closures", `[{"start":"2026-12-24T12:00:00.123456789Z","end":"2026-12-27T09:00:00Z"}]`},
	{"closures", `[{"start":"2026-12-24T12:00:00+01:00","end":"2026-12-27T09:00:00-05:30"}]`},
	{"closures", `[{"start":"2026-12-24 12:00:00Z","end":"2026-12-27T09:00:00Z"}]`},
	{"closures", `[{"start":"2026-13-24T12:00:00Z","end":"2026-12-27T09:00:00Z"}]`},
	{"closures", `[{"start":null,"end":"2026-12-27T09:00:00Z"}]`},
	{"closures", `[{"start":"2026-12-24T12:00:00Z","end":"2026-12-27T09:00:00Z","reason":""}]`},
}

func TestListColumns(t *testing.T) {
	for _, s := range listSamples {
		checkListColumn(t, s.kind, []byte(s.text))
	}
}

// FuzzListColumns checks that the hand parse of the list columns never
// disagrees with encoding/json: where it is not sure, it must defer.
func FuzzListColumns(f *testing.F) {
	for _, s := range listSamples {
		f.Add(s.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, kind := range listKinds {
			checkListColumn(t, kind, []byte(text))
		}
	})
}
