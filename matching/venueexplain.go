package matching

import (
	"fmt"
)

// explain tests one space against every exclusion, not just the first it
// fails, with every detail of each.
func (q *query) explain(spaceID string) *Explanation {
	ex := &Explanation{SpaceID: spaceID, Failures: []Failure{}, Conflicts: []SessionConflict{}}
	u, ok := parseUID(spaceID)
	slot, found := q.st.spaceByID.Get(u)
	if !ok || !found {
		ex.Failures = append(ex.Failures, Failure{Reason: "not_found", Detail: "no such space"})
		return ex
	}
	c := q.checkSpace(slot, &q.st.spaces[slot], &ex.Conflicts)
	for _, x := range exclusions {
		if x.test(q, &c) {
			x.explain(q, &c, func(format string, args ...any) {
				ex.Failures = append(ex.Failures, Failure{Reason: x.name, Detail: fmt.Sprintf(format, args...)})
			})
		}
	}
	ex.Matched = len(ex.Failures) == 0
	if ex.Matched {
		m := q.render(candidate{slot: slot, distM: c.distM, free: c.free, score: q.score(c.sp, c.distM, c.free)})
		ex.Match = &m
	}
	return ex
}
