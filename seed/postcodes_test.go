package seed

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"commonground/geo"
)

// onspdTest is a file in the ONS Postcode Directory's layout, with made-up
// points near the towns the postcodes belong to.
const onspdTest = "testdata/onspd-test.csv"

func readAll(t testing.TB, text string, batch int) ([]geo.Place, PostcodeStats, error) {
	t.Helper()
	var got []geo.Place
	st, err := ReadPostcodes(strings.NewReader(text), batch, func(ps []geo.Place) error {
		if len(ps) > batch {
			t.Errorf("batch of %d, want at most %d", len(ps), batch)
		}
		got = append(got, ps...)
		return nil
	})
	return got, st, err
}

func TestReadPostcodesONSPD(t *testing.T) {
	raw, err := os.ReadFile(onspdTest)
	if err != nil {
		t.Fatal(err)
	}
	for _, batch := range []int{1, 2, 100} {
		got, st, err := readAll(t, string(raw), batch)
		if err != nil {
			t.Fatal(err)
		}
		if st != (PostcodeStats{Rows: 6, Postcodes: 5, NoCoordinates: 1}) {
			t.Errorf("batch %d: stats %+v, want 6 rows, 5 postcodes, 1 without coordinates", batch, st)
		}
		want := []string{"CB1 1AA", "CB1 1AB", "CB7 4AA", "CB7 4AB", "PE19 1AA"}
		if len(got) != len(want) {
			t.Fatalf("batch %d: got %d postcodes, want %d", batch, len(got), len(want))
		}
		for i, p := range got {
			if p.Name != want[i] || p.Kind != geo.KindPostcode {
				t.Errorf("postcode %d: %+v, want %s", i, p, want[i])
			}
		}
		if got[4].Point != geo.MustPoint(52.228, -0.27) {
			t.Errorf("PE19 1AA at %v, want 52.228, -0.27", got[4].Point)
		}
	}
}

func TestReadPostcodesColumnsAnyOrder(t *testing.T) {
	text := "\ufeffLONG, Lat ,extra,PCDS\n0.1,52.1,x,cb74dl\n\n-1.5,53,y,\"sw1a 1aa\"\n,,z,AB1 2CD\n"
	got, st, err := readAll(t, text, 10)
	if err != nil {
		t.Fatal(err)
	}
	if st != (PostcodeStats{Rows: 3, Postcodes: 2, NoCoordinates: 1}) || len(got) != 2 {
		t.Fatalf("stats %+v, %d postcodes", st, len(got))
	}
	if got[0].Name != "CB7 4DL" || got[0].Point != geo.MustPoint(52.1, 0.1) || got[1].Name != "SW1A 1AA" {
		t.Errorf("got %+v", got)
	}
}

func TestReadPostcodesBadFiles(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"empty", "", "empty"},
		{"no columns", "a,b,c\n1,2,3\n", "no column pcds, lat, long"},
		{"no long", "pcds,lat\nCB7 4DL,52\n", "no column long"},
		{"bad postcode", "pcds,lat,long\nCB7 4DL,52,0\nnot a postcode,52,0\n", "line 3: pcds: \"not a postcode\" is not a postcode"},
		{"bad lat", "pcds,lat,long\nCB7 4DL,north,0\n", "line 2: lat: \"north\" is not a number"},
		{"bad long", "pcds,lat,long\nCB7 4DL,52,east\n", "line 2: long: \"east\" is not a number"},
		{"lat out of range", "pcds,lat,long\nCB7 4DL,91,0\n", "line 2: lat: must be between -90 and 90"},
		{"long out of range", "pcds,lat,long\nCB7 4DL,52,181\n", "line 2: long: must be between -180 and 180"},
		{"NaN", "pcds,lat,long\nCB7 4DL,NaN,0\n", "line 2: lat"},
		{"short row", "pcds,lat,long\nCB7 4DL,52\n", "wrong number of fields"},
		{"bad quotes", "pcds,lat,long\n\"CB7 4DL,52,0\n", "line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readAll(t, tt.text, 10)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestReadPostcodesStopsOnHandlerError(t *testing.T) {
	boom := errors.New("database away")
	calls := 0
	_, err := ReadPostcodes(strings.NewReader("pcds,lat,long\nCB7 4DL,52,0\nCB7 4DM,52,0\nCB7 4DN,52,0\n"), 1,
		func([]geo.Place) error { calls++; return boom })
	if !errors.Is(err, boom) || calls != 1 {
		t.Errorf("got %v after %d calls, want the handler's error after 1", err, calls)
	}
	st, err := ReadPostcodes(strings.NewReader("pcds,lat,long\nCB7 4DL,52,0\n"), 1, nil)
	if err != nil || st.Postcodes != 1 {
		t.Errorf("checking only: %+v, %v", st, err)
	}
}

// FuzzReadPostcodes: whatever the file, ReadPostcodes does not panic, and
// when it accepts a file every postcode it hands on is written as
// NormalisePostcode writes it, with a valid point, and the counts add up.
func FuzzReadPostcodes(f *testing.F) {
	if raw, err := os.ReadFile(onspdTest); err == nil {
		f.Add(string(raw))
	}
	f.Add("pcds,lat,long\ncb74dl,52.1,0.2\n")
	f.Add("long,lat,pcds\n0,99.999999,CB7 4DL\n")
	f.Add("pcds,lat,long\n\"CB7\n4DL\",1e308,-1e308\n")
	f.Fuzz(func(t *testing.T, text string) {
		var n int
		st, err := ReadPostcodes(strings.NewReader(text), 3, func(ps []geo.Place) error {
			for _, p := range ps {
				if norm, ok := geo.NormalisePostcode(p.Name); !ok || norm != p.Name || p.Kind != geo.KindPostcode {
					return fmt.Errorf("handed on %q", p.Name)
				}
				if _, err := geo.NewPoint(geo.Lat(p.Point), geo.Lon(p.Point)); err != nil {
					return fmt.Errorf("%s: %v", p.Name, err)
				}
			}
			n += len(ps)
			return nil
		})
		if err != nil && strings.HasPrefix(err.Error(), "handed on") {
			t.Fatal(err)
		}
		if err == nil && (n != st.Postcodes || st.Postcodes+st.NoCoordinates != st.Rows) {
			t.Fatalf("stats %+v, %d handed on", st, n)
		}
	})
}
