package seed

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"commonground/matching"
)

// docColumn is a column as CSV.md's table names it.
type docColumn struct {
	name     string
	required bool
}

// csvDocTable reads the first cell of each row of CSV.md's column table:
// every `name` in it, with * after the name when required, and the rest
// of the row.
func csvDocTable(t *testing.T) (cols []docColumn, rows map[string]string) {
	t.Helper()
	raw, err := os.ReadFile("CSV.md")
	if err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile("`([a-z0-9_]+)`(\\*?)")
	rows = map[string]string{}
	for line := range strings.SplitSeq(string(raw), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		for _, m := range name.FindAllStringSubmatch(cells[1], -1) {
			cols = append(cols, docColumn{m[1], m[2] == "*"})
			rows[m[1]] = cells[2]
		}
	}
	return cols, rows
}

// TestCSVDocumented holds CSV.md's table to columns: the same columns
// (the table groups them for the reader, so in any order), the required
// ones marked, and every kind and floor the importer accepts listed.
func TestCSVDocumented(t *testing.T) {
	doc, rows := csvDocTable(t)
	var want []docColumn
	for _, c := range columns {
		want = append(want, docColumn{c.name, c.required})
	}
	byName := func(a, b docColumn) int { return strings.Compare(a.name, b.name) }
	slices.SortFunc(doc, byName)
	slices.SortFunc(want, byName)
	if !slices.Equal(doc, want) {
		t.Errorf("CSV.md's table:\n got %v\nwant %v", doc, want)
	}
	for _, k := range matching.SpaceKinds {
		if !strings.Contains(rows["kind"], "`"+string(k)+"`") {
			t.Errorf("CSV.md: kind %s is not listed", k)
		}
	}
	for _, f := range matching.Floors {
		if !strings.Contains(rows["floor"], "`"+string(f)+"`") {
			t.Errorf("CSV.md: floor %s is not listed", f)
		}
	}
}

// notInCSV are the yes/no fields of matching.Space no CSV column sets.
var notInCSV = []string{}

// TestCSVSetsEverySpaceFlag checks that every yes/no field of
// matching.Space has a column (or is in notInCSV), and that each flag
// column sets its own field.
func TestCSVSetsEverySpaceFlag(t *testing.T) {
	set := map[string]string{} // field -> column
	for _, c := range columns {
		if c.flag == nil {
			continue
		}
		var s matching.Space
		*c.flag(&s) = true
		v := reflect.ValueOf(s)
		var on []string
		for i := range v.NumField() {
			if v.Field(i).Kind() == reflect.Bool && v.Field(i).Bool() {
				on = append(on, v.Type().Field(i).Name)
			}
		}
		if len(on) != 1 {
			t.Errorf("column %s sets %v, want one field", c.name, on)
			continue
		}
		if prev, ok := set[on[0]]; ok {
			t.Errorf("columns %s and %s both set %s", prev, c.name, on[0])
		}
		set[on[0]] = c.name
	}
	st := reflect.TypeFor[matching.Space]()
	for i := range st.NumField() {
		f := st.Field(i)
		if f.Type.Kind() != reflect.Bool {
			continue
		}
		if _, ok := set[f.Name]; !ok && !slices.Contains(notInCSV, f.Name) {
			t.Errorf("Space.%s has no CSV column: add one to columns (and CSV.md) or to notInCSV", f.Name)
		}
	}
}
