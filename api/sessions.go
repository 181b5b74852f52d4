package api

import (
	"time"

	"commonground/matching"
)

// sessionIn is one session in a request body.
type sessionIn struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// weeklyIn is a weekly series in a request body.
type weeklyIn struct {
	Day      string   `json:"day"`
	Start    string   `json:"start"`
	End      string   `json:"end"`
	From     string   `json:"from"`
	Count    int      `json:"count"`
	Timezone string   `json:"timezone"`
	Except   []string `json:"except"`
}

// sessionsOf reads "sessions" or "weekly" (exactly one of them) into
// absolute sessions, recording problems in ve.
func sessionsOf(ve *matching.ValidationError, list []sessionIn, weekly *weeklyIn) []matching.Session {
	switch {
	case list != nil && weekly != nil:
		ve.Add("sessions", "give either sessions or weekly, not both")
		return nil
	case weekly != nil:
		w := matching.Weekly{Count: weekly.Count, Timezone: weekly.Timezone}
		if w.Timezone == "" {
			w.Timezone = matching.DefaultTimezone
		}
		bad := false
		if d, err := matching.ParseWeekday(weekly.Day); err != nil {
			ve.Add("weekly.day", "%v", err)
			bad = true
		} else {
			w.Day = d
		}
		if c, err := matching.ParseClock(weekly.Start); err != nil {
			ve.Add("weekly.start", "%v", err)
			bad = true
		} else {
			w.Start = c
		}
		if c, err := matching.ParseClock(weekly.End); err != nil {
			ve.Add("weekly.end", "%v", err)
			bad = true
		} else {
			w.End = c
		}
		if d, err := time.Parse("2006-01-02", weekly.From); err != nil {
			ve.Add("weekly.from", "must be a date as YYYY-MM-DD, got %q", clip(weekly.From))
			bad = true
		} else {
			w.From = d
		}
		if len(weekly.Except) > matching.MaxWeeklyCount {
			ve.Add("weekly.except", "may list at most %d dates", matching.MaxWeeklyCount)
			return nil
		}
		for i, x := range weekly.Except {
			d, err := time.Parse(matching.DateLayout, x)
			if err != nil {
				ve.Add(fieldf("weekly.except[%d]", i), "must be a date as YYYY-MM-DD, got %q", clip(x))
				bad = true
				continue
			}
			w.Except = append(w.Except, d)
		}
		if bad {
			return nil
		}
		sessions, err := w.Expand()
		ve.Merge("weekly", err)
		return sessions
	case list != nil:
		if len(list) > matching.MaxSessions {
			ve.Add("sessions", "must have at most %d sessions", matching.MaxSessions)
			return nil
		}
		out := make([]matching.Session, len(list))
		n := len(ve.Errors)
		for i, s := range list {
			f := fieldf("sessions[%d]", i)
			out[i] = matching.Session{Start: parseTime(ve, f+".start", s.Start), End: parseTime(ve, f+".end", s.End)}
		}
		if len(ve.Errors) > n {
			return nil
		}
		ve.Merge("", matching.ValidateSessions(out))
		return out
	}
	ve.Add("sessions", "is required: give sessions [{start, end}] or weekly {day, start, end, from, count}")
	return nil
}

// SessionConflict is the API shape of a session a space cannot take.
type SessionConflict struct {
	Start  string `json:"start"`
	End    string `json:"end"`
	Reason string `json:"reason"`
}

func toConflicts(in []matching.SessionConflict) []SessionConflict {
	out := make([]SessionConflict, len(in))
	for i, c := range in {
		out[i] = SessionConflict{rfc3339(c.Start), rfc3339(c.End), c.Reason}
	}
	return out
}
