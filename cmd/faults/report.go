package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// result is what one scenario measured.
type result struct {
	name    string
	status  map[int]int // requests by status; 0 is no answer
	longest time.Duration
	// acked is the number of acknowledged writes checked afterwards, lost
	// those missing; checked is false where the scenario checks none.
	checked     bool
	acked, lost int
	figures     []string // scenario-specific figures, "name value"
	// violations break an invariant of the issue (a "must"): the suite
	// fails whatever the flags. findings are known faults the fixes are to
	// remove: FAIL lines, fatal only with -strict.
	violations []string
	findings   []string
	skipped    string // why the scenario did not run
	err        error  // the scenario could not be carried out
}

func newResult(name string) *result { return &result{name: name, status: map[int]int{}} }

// count adds the records of a run to the result's requests and longest
// answer; setup and verification requests are left out.
func (r *result) count(recs []record) {
	for _, rec := range recs {
		if rec.op == "setup" || rec.op == "verify" {
			continue
		}
		r.status[rec.status]++
		r.longest = max(r.longest, rec.took)
	}
}

func (r *result) figure(format string, args ...any) {
	r.figures = append(r.figures, fmt.Sprintf(format, args...))
}

func (r *result) violation(format string, args ...any) {
	r.violations = append(r.violations, fmt.Sprintf(format, args...))
}

func (r *result) finding(format string, args ...any) {
	r.findings = append(r.findings, fmt.Sprintf(format, args...))
}

// statuses renders the requests by status, "200:812 201:90 none:3".
func (r *result) statuses() string {
	if len(r.status) == 0 {
		return "-"
	}
	keys := make([]int, 0, len(r.status))
	for k := range r.status {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		name := fmt.Sprint(k)
		if k == 0 {
			name = "none"
		}
		parts = append(parts, fmt.Sprintf("%s:%d", name, r.status[k]))
	}
	return strings.Join(parts, " ")
}

func (r *result) lostText() string {
	if !r.checked {
		return "-"
	}
	return fmt.Sprintf("%d of %d", r.lost, r.acked)
}

func (r *result) longestText() string {
	if r.longest == 0 {
		return "-"
	}
	return roundDur(r.longest).String()
}

func roundDur(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond)
	}
	return d
}

// verdict is the result in one word: ok, FAIL (a finding), MUST (a broken
// invariant), skip or error.
func (r *result) verdict() string {
	switch {
	case r.err != nil:
		return "error"
	case r.skipped != "":
		return "skip"
	case len(r.violations) > 0:
		return "MUST"
	case len(r.findings) > 0:
		return "FAIL"
	}
	return "ok"
}

// summary writes the scenario's summary line and its FAIL lines.
func (r *result) summary(w io.Writer) {
	switch {
	case r.skipped != "":
		fmt.Fprintf(w, "%s: skipped: %s\n", r.name, r.skipped)
		return
	case r.err != nil:
		fmt.Fprintf(w, "%s: error: %v\n", r.name, r.err)
	}
	fmt.Fprintf(w, "%s: requests %s; acknowledged writes lost %s; longest answer %s", r.name, r.statuses(), r.lostText(), r.longestText())
	if len(r.figures) > 0 {
		fmt.Fprintf(w, "; %s", strings.Join(r.figures, "; "))
	}
	fmt.Fprintln(w)
	for _, v := range r.violations {
		fmt.Fprintf(w, "FAIL %s: MUST: %s\n", r.name, v)
	}
	for _, f := range r.findings {
		fmt.Fprintf(w, "FAIL %s: %s\n", r.name, f)
	}
}

// table writes the final table of every result.
func table(w io.Writer, results []*result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tVERDICT\tREQUESTS BY STATUS\tLOST\tLONGEST\tFIGURES")
	for _, r := range results {
		figures := strings.Join(r.figures, "; ")
		if r.skipped != "" {
			figures = r.skipped
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.name, r.verdict(), r.statuses(), r.lostText(), r.longestText(), figures)
	}
	tw.Flush()
}
