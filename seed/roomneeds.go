package seed

import (
	"hash/fnv"
	"math/rand/v2"

	"commonground/matching"
)

// What needs for a room say of the room. Each need draws from a generator
// of its own, seeded by its ID, so adding these details moved nothing else
// in a seed's data set.

// roomActivities are the activities organisations of a type bring to a
// room, "" for a group that did not say (a meeting, a social).
var roomActivities = map[matching.OrgType][]string{
	matching.OrgArts:         {"contemporary", "ballet", "hip-hop", "jazz", "tap", "musical-theatre", "contemporary"},
	matching.OrgYouthService: {"hip-hop", "street", "contemporary", ""},
	matching.OrgSchool:       {"musical-theatre", "hip-hop", "ballet", ""},
	matching.OrgCommunity:    {"folk", "ballroom", "contemporary", "", ""},
	matching.OrgFaith:        {"folk", "", ""},
	matching.OrgHealth:       {"contemporary", "folk", ""},
	matching.OrgCouncil:      {"", "folk"},
	matching.OrgBusiness:     {"", ""},
	matching.OrgOther:        {"", "folk", "ballroom"},
}

// roomSlots are the weekly times groups ask for: weekday evenings after
// school and work, weekday mornings for older people's groups, weekend
// mornings and afternoons.
var roomSlots = []struct {
	days       []matching.Weekday
	start, end matching.ClockTime
}{
	{[]matching.Weekday{"mon", "tue", "wed", "thu", "fri"}, 16*60 + 30, 18 * 60},
	{[]matching.Weekday{"mon", "tue", "wed", "thu"}, 18 * 60, 20 * 60},
	{[]matching.Weekday{"mon", "tue", "wed", "thu"}, 19 * 60, 21 * 60},
	{[]matching.Weekday{"tue", "wed", "thu"}, 18*60 + 30, 20*60 + 30},
	{[]matching.Weekday{"tue", "thu"}, 10 * 60, 12 * 60},
	{[]matching.Weekday{"sat"}, 10 * 60, 12 * 60},
	{[]matching.Weekday{"sat"}, 13 * 60, 16 * 60},
	{[]matching.Weekday{"sun"}, 14 * 60, 16 * 60},
}

// describeRoomNeed fills in a need for a room: a group of 8 to 30 (6 to
// 16 for a meeting room), an activity that suits the organisation, one to
// three weekly windows on different days, and for most a budget of £15 to
// £50 an hour at the standard price.
func describeRoomNeed(n *matching.Need, t matching.OrgType) {
	if !matching.IsSpaceCategory(n.Category) {
		return
	}
	h := fnv.New64a()
	h.Write([]byte(n.ID))
	r := rand.New(rand.NewPCG(h.Sum64(), 0x700a))
	if n.Category == "space.meeting-room" {
		n.GroupSize = between(r, 6, 16)
	} else {
		n.GroupSize = between(r, 8, 30)
		n.Activity = pick(r, roomActivities[t])
	}
	taken := map[matching.Weekday]bool{}
	for range between(r, 1, 3) {
		s := pick(r, roomSlots)
		d := pick(r, s.days)
		if taken[d] {
			continue
		}
		taken[d] = true
		n.Windows = append(n.Windows, matching.Window{Day: d, Start: s.start, End: s.end})
	}
	if chance(r, 0.75) {
		n.MaxPencePerHour = between(r, 6, 20) * 250
	}
}
