package store

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// Rows for the plan tests.
type planRowGood struct {
	ID      string `gorm:"primaryKey"`
	Kind    string
	Secret  *string
	Count   int
	Ratio   float64 `gorm:"column:the_ratio"`
	Done    bool
	List    jsonColumn[[]string]
	Skipped string `gorm:"-"`
	At      time.Time
}

type planRowBadType struct {
	ID    string
	Small int32
}

func TestNewPlan(t *testing.T) {
	p, err := newPlan[planRowGood](planOpts{skip: []string{"secret"}, interned: []string{"kind"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.columns, "id, kind, count, the_ratio, done, list, at"; got != want {
		t.Errorf("columns: got %q, want %q", got, want)
	}
	var how []readAs
	for _, c := range p.cols {
		how = append(how, c.how)
	}
	if want := []readAs{readField, readInterned, readField, readField, readField, readText, readField}; !slices.Equal(how, want) {
		t.Errorf("read as: got %v, want %v", how, want)
	}
	if got, want := p.unclaimed(), []string{"plan_row_goods.list"}; !slices.Equal(got, want) {
		t.Errorf("unclaimed before textCol: got %v, want %v", got, want)
	}
	if got, want := p.textCol("list"), 5; got != want {
		t.Errorf("textCol(list): got %d, want %d", got, want)
	}
	if got := p.unclaimed(); len(got) != 0 {
		t.Errorf("unclaimed after textCol: got %v, want none", got)
	}
}

func TestNewPlanErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  func() error
		want string
	}{
		{"unknown skip", func() error { _, err := newPlan[planRowGood](planOpts{skip: []string{"secret", "nope"}}); return err }, `no column "nope"`},
		{"unknown text", func() error {
			_, err := newPlan[planRowGood](planOpts{skip: []string{"secret"}, text: []string{"kinds"}})
			return err
		}, `no column "kinds"`},
		{"interned number", func() error {
			_, err := newPlan[planRowGood](planOpts{skip: []string{"secret"}, interned: []string{"count"}})
			return err
		}, "count: interned, but its field is a int"},
		{"pointer field", func() error { _, err := newPlan[planRowGood](planOpts{}); return err }, "secret: the bulk readers cannot scan a *string"},
		{"unscannable type", func() error { _, err := newPlan[planRowBadType](planOpts{}); return err }, "small: the bulk readers cannot scan a int32"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestScanRowBind checks that bind points each column at its field, or at
// its text, in plan order, and that intern fills interned fields.
func TestScanRowBind(t *testing.T) {
	p := mustPlan[planRowGood](planOpts{skip: []string{"secret"}, interned: []string{"kind"}})
	var s scanRow[planRowGood]
	dests := s.bind(p)
	if got, want := len(dests), len(p.cols); got != want {
		t.Fatalf("destinations: got %d, want %d", got, want)
	}
	*dests[0].(*string) = "id-1"
	*dests[1].(*[]byte) = []byte("studio")
	*dests[2].(*int) = 7
	*dests[3].(*float64) = 0.5
	*dests[4].(*bool) = true
	*dests[5].(*[]byte) = []byte(`["a"]`)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	*dests[6].(*time.Time) = at
	s.intern(newInterner())
	want := planRowGood{ID: "id-1", Kind: "studio", Count: 7, Ratio: 0.5, Done: true, At: at}
	if s.row.ID != want.ID || s.row.Kind != want.Kind || s.row.Count != want.Count || s.row.Ratio != want.Ratio ||
		s.row.Done != want.Done || !s.row.At.Equal(want.At) || s.row.List.V != nil {
		t.Errorf("row: got %+v, want %+v", s.row, want)
	}
	if got, want := string(s.text[5]), `["a"]`; got != want {
		t.Errorf("text of list: got %q, want %q", got, want)
	}
}
