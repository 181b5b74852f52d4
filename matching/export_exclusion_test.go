package matching

// ExclusionVerdict is what the scan and the exclusion table each say of
// one space within twice a request's radius: whether the scan counted it,
// the first reason it fails ("" when it matches) and, when it matches,
// how many sessions it can take.
type ExclusionVerdict struct {
	SpaceID             string
	Scanned             bool
	Scan, Table         string
	ScanFree, TableFree int
	// Failed are the reasons whose tests the space fails, in order;
	// Unexplained are those among them whose explanation gave no detail.
	Failed, Unexplained []string
}

// ExclusionVerdicts asks the scan (query.scan, each space on its own) and
// the table's tests (exclusions, on the exact distance and the sessions
// counted one by one) about every live space within twice the radius of
// req. It returns a *ValidationError for a bad request.
func ExclusionVerdicts(e *Engine, req *VenueRequest) ([]ExclusionVerdict, error) {
	if err := req.Validate(e.tax); err != nil {
		return nil, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	q, err := e.newQuery(req)
	if err != nil {
		return nil, err
	}
	var out []ExclusionVerdict
	for i := range q.st.spaces {
		slot, sp := int32(i), &q.st.spaces[i]
		if !sp.live {
			continue
		}
		c := q.checkSpace(slot, sp, nil)
		if c.distM > 2*q.radiusM {
			continue
		}
		v := ExclusionVerdict{SpaceID: sp.id.String(), TableFree: -1, ScanFree: -1}
		for _, x := range exclusions {
			if !x.test(q, &c) {
				continue
			}
			v.Failed = append(v.Failed, x.name)
			details := 0
			x.explain(q, &c, func(string, ...any) { details++ })
			if details == 0 {
				v.Unexplained = append(v.Unexplained, x.name)
			}
		}
		if len(v.Failed) > 0 {
			v.Table = v.Failed[0]
		}
		if v.Table == "" {
			v.TableFree = c.free
		}
		// The scan, over one run of this space alone.
		run, done := cellRun{slots: []int32{slot}}, false
		var sc matchScan
		q.scan(func() (*cellRun, bool) {
			if done {
				return nil, false
			}
			done = true
			return &run, true
		}, 1, &sc)
		for r, n := range sc.excluded {
			if n > 0 {
				v.Scan, v.Scanned = exclusions[r].name, true
			}
		}
		if sc.total > 0 {
			v.Scanned, v.ScanFree = true, sc.found[0].free
		}
		out = append(out, v)
	}
	return out, nil
}
