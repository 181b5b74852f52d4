package api

import (
	"commonground/matching"
)

// needIn is a need in a request body. A need for a room (a space.*
// category) may say how many people, which activity, the weekly windows
// it wants the room in and its budget an hour.
type needIn struct {
	Category        string     `json:"category"`
	Description     string     `json:"description"`
	HoursPerMonth   int        `json:"hours_per_month"`
	GroupSize       int        `json:"group_size"`
	Activity        string     `json:"activity"`
	Windows         []windowIn `json:"windows"`
	MaxPencePerHour int        `json:"max_pence_per_hour"`
}

// windowIn is a weekly window as sent: a day as opening hours spell it
// ("mon" … "sun") and local times as "HH:MM".
type windowIn struct {
	Day   string `json:"day"`
	Start string `json:"start"`
	End   string `json:"end"`
}

// Window is the API shape of a weekly window.
type Window struct {
	Day   string `json:"day"`
	Start string `json:"start"`
	End   string `json:"end"`
}

// Need is the API shape of a need: an Item, and for a need for a room
// what it says of the room (fields left out say nothing).
type Need struct {
	ID              string   `json:"id"`
	OrganisationID  string   `json:"organisation_id"`
	Category        string   `json:"category"`
	Description     string   `json:"description"`
	HoursPerMonth   int      `json:"hours_per_month"`
	GroupSize       int      `json:"group_size,omitempty"`
	Activity        string   `json:"activity,omitempty"`
	Windows         []Window `json:"windows,omitempty"`
	MaxPencePerHour int      `json:"max_pence_per_hour,omitempty"`
	CreatedAt       string   `json:"created_at"`
}

// toNeed checks a need body and builds the need, every bad field named
// (under prefix, such as "needs[2]", when not empty). Days and times are
// read with the decoders of opening hours and weekly series.
func (in *needIn) toNeed(tax *matching.Taxonomy, id, orgID string) (matching.Need, error) {
	n := matching.Need{ID: id, OrganisationID: orgID, Category: in.Category, Description: in.Description,
		HoursPerMonth: in.HoursPerMonth, GroupSize: in.GroupSize, Activity: in.Activity,
		MaxPencePerHour: in.MaxPencePerHour}
	ve := &matching.ValidationError{}
	n.Windows = parseWindows(ve, in.Windows)
	if err := ve.Err(); err != nil {
		// Parse errors first: validating half-parsed windows would repeat them.
		return n, err
	}
	return n, n.Validate(tax)
}

// parseWindows reads windows as sent, recording each bad day or time
// under windows[i].day, .start or .end.
func parseWindows(ve *matching.ValidationError, ws []windowIn) []matching.Window {
	if len(ws) > matching.MaxNeedWindows {
		ve.Add("windows", "must have at most %d entries", matching.MaxNeedWindows)
		return nil
	}
	out := make([]matching.Window, 0, len(ws))
	for i, w := range ws {
		f := fieldf("windows[%d]", i)
		day, err := matching.ParseWeekday(w.Day)
		if err != nil {
			ve.Add(f+".day", "%v", err)
		}
		start, err := matching.ParseClock(w.Start)
		if err != nil {
			ve.Add(f+".start", "%v", err)
		}
		end, err := matching.ParseClock(w.End)
		if err != nil {
			ve.Add(f+".end", "%v", err)
		}
		out = append(out, matching.Window{Day: day, Start: start, End: end})
	}
	return out
}

// toNeedJSON renders a need.
func toNeedJSON(n *matching.Need) Need {
	out := Need{ID: n.ID, OrganisationID: n.OrganisationID, Category: n.Category, Description: n.Description,
		HoursPerMonth: n.HoursPerMonth, GroupSize: n.GroupSize, Activity: n.Activity,
		MaxPencePerHour: n.MaxPencePerHour, CreatedAt: rfc3339(n.CreatedAt)}
	for _, w := range n.Windows {
		out.Windows = append(out.Windows, Window{Day: string(w.Day), Start: w.Start.String(), End: w.End.String()})
	}
	return out
}
