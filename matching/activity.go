package matching

import "math"

// ActivityProfile is what an activity needs of a room. A space that fails
// any of it is not offered for the activity: venue matching counts it
// under activity_not_allowed, and nearby's activity filter leaves it out.
type ActivityProfile struct {
	// MinAreaPerDancerM2 is the least floor area per dancer.
	MinAreaPerDancerM2 float64
	// MinCeilingM is the least ceiling height indoors (0: no
	// requirement). An indoor space whose ceiling height is unknown does
	// not meet a requirement.
	MinCeilingM float64
	// UnsuitableFloors are floors the activity cannot safely use.
	UnsuitableFloors []Floor
	// UnsuitableSurfaces are outdoor surfaces the activity cannot safely
	// use. When it lists any, an outdoor space whose surface is not
	// recorded does not qualify either.
	UnsuitableSurfaces []Surface
	// TapFloor asks for a floor that takes taps and stamps: wood, sprung
	// or semi-sprung, or any floor when the space has tap boards.
	TapFloor bool
	// RiggingKgPerDancer, when above 0, asks for rigging points with room
	// for the whole group at once: a point carries as many dancers as its
	// rated load holds this load whole times (a point rated below it
	// carries none).
	RiggingKgPerDancer float64
}

// AerialRiggingKgPerDancer is the rated load a rigging point needs for
// each dancer on it: about 2,000 lb, the figure aerial-rigging guidance
// gives for one performer of up to 200 lb (90 kg) with the tenfold safety
// factor of acrobatic rigging, which allows for the dynamic loads of
// swings and drops (several times body weight).
const AerialRiggingKgPerDancer = 900

// Activity rules. They follow the aims of the One Dance UK / Equity "Fit
// to Dance Space" charter — a sprung or semi-sprung floor, room to move
// for the group, height for lifts and jumps — with figures in the range
// studio-hire guidance uses:
//
//   - Floor area: 2–4 m² per dancer for studio styles (less for styles
//     danced on the spot, such as tap and flamenco; more for partner work
//     in ballroom), and 9 m² per performer for aerial work, which needs
//     landing room.
//   - Ceiling: about 3.5 m where lifts and jumps are part of the style,
//     4 m for cheerleading stunts, 6 m of rigging height for aerial work.
//     Outdoors there is no ceiling: the rule applies indoors only.
//   - Floors: hard, unforgiving floors (concrete) are unsuitable for
//     jump-heavy styles; carpet for any style that turns, slides or taps.
//   - Tap floors: tap, flamenco and Irish hard-shoe dancing need a floor
//     that takes the strike of the shoe without damage or jarring — wood,
//     sprung or semi-sprung — or portable tap boards laid over another.
//   - Outdoor surfaces: tarmac and paving are as hard as concrete, so a
//     style unsuitable on concrete is unsuitable on them; grass is uneven
//     and grips the foot, unsuitable for styles that turn or slide. Folk,
//     contemporary and contact improvisation are danced on grass
//     (festival and site-specific work), folk and street styles on
//     tarmac. Tap styles outdoors follow their floor rule alone: boards
//     laid on the ground, or a wooden deck.
//   - Aerial: rigging points rated for every dancer of the group at once
//     (AerialRiggingKgPerDancer each).
//
// Outdoor spaces are offered only to requests that allow them
// (VenueRequest.AllowOutdoor), whatever the activity. They are defaults:
// a deployment can change them through EngineOptions.
var DefaultActivityProfiles = map[string]ActivityProfile{
	"ballet":                {MinAreaPerDancerM2: 3.5, MinCeilingM: 3.5, UnsuitableFloors: hardOrCarpet, UnsuitableSurfaces: allSurfaces},
	"contemporary":          {MinAreaPerDancerM2: 3.5, MinCeilingM: 3.5, UnsuitableFloors: hardOrCarpet, UnsuitableSurfaces: hardSurfaces},
	"jazz":                  {MinAreaPerDancerM2: 3.0, MinCeilingM: 3.0, UnsuitableFloors: hardOrCarpet, UnsuitableSurfaces: allSurfaces},
	"musical-theatre":       {MinAreaPerDancerM2: 3.0, MinCeilingM: 3.0, UnsuitableFloors: hardOrCarpet, UnsuitableSurfaces: allSurfaces},
	"hip-hop":               {MinAreaPerDancerM2: 3.0, UnsuitableFloors: carpetOnly, UnsuitableSurfaces: grassOnly},
	"street":                {MinAreaPerDancerM2: 3.0, UnsuitableFloors: carpetOnly, UnsuitableSurfaces: grassOnly},
	"tap":                   {MinAreaPerDancerM2: 2.0, UnsuitableFloors: carpetOnly, TapFloor: true},
	"flamenco":              {MinAreaPerDancerM2: 2.0, UnsuitableFloors: carpetOnly, TapFloor: true},
	"irish":                 {MinAreaPerDancerM2: 2.5, UnsuitableFloors: hardOrCarpet, TapFloor: true},
	"ballroom":              {MinAreaPerDancerM2: 4.0, UnsuitableFloors: hardOrCarpet, UnsuitableSurfaces: allSurfaces},
	"folk":                  {MinAreaPerDancerM2: 3.0, UnsuitableFloors: carpetOnly},
	"aerial":                {MinAreaPerDancerM2: 9.0, MinCeilingM: 6.0, UnsuitableFloors: carpetOnly, RiggingKgPerDancer: AerialRiggingKgPerDancer},
	"contact-improvisation": {MinAreaPerDancerM2: 4.0, MinCeilingM: 3.0, UnsuitableFloors: []Floor{FloorConcrete}, UnsuitableSurfaces: hardSurfaces},
	"cheerleading":          {MinAreaPerDancerM2: 4.0, MinCeilingM: 4.0, UnsuitableFloors: hardOrCarpet, UnsuitableSurfaces: hardSurfaces},
	"heels":                 {MinAreaPerDancerM2: 3.0, UnsuitableFloors: carpetOnly, UnsuitableSurfaces: grassOnly},
}

// Lists the profiles share.
var (
	carpetOnly   = []Floor{FloorCarpet}
	hardOrCarpet = []Floor{FloorCarpet, FloorConcrete}
	grassOnly    = []Surface{SurfaceGrass}
	hardSurfaces = []Surface{SurfaceTarmac, SurfacePaving}
	allSurfaces  = []Surface{SurfaceGrass, SurfaceTarmac, SurfacePaving, SurfaceOther}
)

// defaultProfile applies to activities without their own profile.
var defaultProfile = ActivityProfile{MinAreaPerDancerM2: 3.0, UnsuitableFloors: []Floor{FloorCarpet}}

// ProfileFor is the default rules of an activity: its profile in
// DefaultActivityProfiles, or those of an activity without one.
func ProfileFor(activity string) ActivityProfile {
	if p, ok := DefaultActivityProfiles[activity]; ok {
		return p
	}
	return defaultProfile
}

// floorBits turns floors into a bit set over Floors.
func floorBits(fs []Floor) uint8 {
	var b uint8
	for _, f := range fs {
		b |= 1 << floor8(f)
	}
	return b
}

// tapFloors are the floors that take tap without boards.
var tapFloors = floorBits([]Floor{FloorWood, FloorSprung, FloorSemiSprung})

// surfaceBits turns surfaces into a bit set over surface8 numbers, with
// the unrecorded surface (0) in it whenever any surface is.
func surfaceBits(xs []Surface) uint8 {
	if len(xs) == 0 {
		return 0
	}
	b := uint8(1)
	for _, x := range xs {
		b |= 1 << surface8(x)
	}
	return b
}

// surface8 numbers a surface: 0 unrecorded, then 1 + its index in
// Surfaces.
func surface8(x Surface) uint8 {
	for i, y := range Surfaces {
		if x == y {
			return uint8(i + 1)
		}
	}
	return 0
}

// RiggingHolds is how many dancers rigging points rated as given hold at
// once when each needs kgPerDancer of a point's rated load.
func RiggingHolds(points []RiggingPoint, kgPerDancer float64) int {
	if kgPerDancer <= 0 {
		return 0
	}
	n := 0
	for _, p := range points {
		n += int(math.Floor(p.RatedLoadKg / kgPerDancer))
	}
	return n
}

// activityRules are an activity's rules made ready to test the engine's
// records: venue matching and nearby's activity filter test spaces with
// the same rules.
type activityRules struct {
	activity     string
	actBit       uint64 // prohibited by the venue
	badFloor     uint8  // over Floors
	minCeil      float64
	badSurface   uint8 // over surface8 numbers
	tapFloor     bool
	rigKg        float64
	allowOutdoor bool
	rare         bool // tapFloor or rigKg: blocks asks blocksRare
}

// activityRules compiles the rules of an activity (the default profile for
// one without its own).
func (e *Engine) activityRules(activity string, allowOutdoor bool) activityRules {
	prof, ok := e.opts.Activities[activity]
	if !ok {
		prof = defaultProfile
	}
	return activityRules{activity: activity, actBit: e.tax.activityBit(activity), badFloor: floorBits(prof.UnsuitableFloors),
		minCeil: prof.MinCeilingM, badSurface: surfaceBits(prof.UnsuitableSurfaces), tapFloor: prof.TapFloor,
		rigKg: prof.RiggingKgPerDancer, allowOutdoor: allowOutdoor, rare: prof.TapFloor || prof.RiggingKgPerDancer > 0}
}

// blocks reports whether the activity's rules keep a group of the given
// size out of the space in slot. It is small enough to inline into the
// venue scan: the rules most spaces never reach (outdoors, tap floors,
// rigging) are in blocksRare.
func (r *activityRules) blocks(st *state, slot int32, sp *spaceRec, group int) bool {
	if sp.prohibited&r.actBit != 0 || r.badFloor&(1<<sp.floor) != 0 {
		return true
	}
	if sp.flags&flagOutdoor != 0 || r.rare {
		return r.blocksRare(st, slot, sp, group)
	}
	return r.minCeil > 0 && below(sp.ceiling, r.minCeil)
}

// blocksRare is blocks for an outdoor space, or an activity that asks for
// a tap floor or rigging.
func (r *activityRules) blocksRare(st *state, slot int32, sp *spaceRec, group int) bool {
	if sp.flags&flagOutdoor == 0 {
		if r.minCeil > 0 && below(sp.ceiling, r.minCeil) {
			return true
		}
	} else if !r.allowOutdoor || r.badSurface&(1<<st.surfaceOf(slot)) != 0 {
		return true
	}
	if r.tapFloor && tapFloors&(1<<sp.floor) == 0 && sp.flags&flagTapBoards == 0 {
		return true
	}
	return r.rigKg > 0 && st.riggingHolds(slot, sp, r.rigKg) < group
}

// whyBlocked tells add each rule the space fails, in words.
func (r *activityRules) whyBlocked(st *state, slot int32, sp *spaceRec, group int, add func(string, ...any)) {
	if sp.prohibited&r.actBit != 0 {
		add("the venue does not allow %s", r.activity)
	}
	if r.badFloor&(1<<sp.floor) != 0 {
		add("a %s is unsuitable for %s", FloorLabel(Floors[sp.floor]), r.activity)
	}
	if sp.flags&flagOutdoor == 0 && r.minCeil > 0 && below(sp.ceiling, r.minCeil) {
		add("%s needs a ceiling of %.1f m; this one is %s", r.activity, r.minCeil, ceilingText(sp.ceiling))
	}
	if sp.flags&flagOutdoor != 0 {
		surface := st.surfaceOf(slot)
		switch {
		case !r.allowOutdoor:
			add("it is outdoors, and the request does not allow outdoor spaces")
		case r.badSurface&(1<<surface) != 0 && surface == 0:
			add("it is outdoors on a surface not recorded, and %s needs a known suitable surface", r.activity)
		case r.badSurface&(1<<surface) != 0:
			add("%s is unsuitable for %s", surfaceLabelOf(surface), r.activity)
		}
	}
	if r.tapFloor && tapFloors&(1<<sp.floor) == 0 && sp.flags&flagTapBoards == 0 {
		add("%s needs a wooden, sprung or semi-sprung floor or tap boards; this space has a %s and no tap boards",
			r.activity, FloorLabel(Floors[sp.floor]))
	}
	if r.rigKg > 0 {
		if holds := st.riggingHolds(slot, sp, r.rigKg); holds < group {
			switch {
			case sp.flags&flagRigging == 0:
				add("%s needs rigging points; this space has none", r.activity)
			default:
				add("%s needs rigging points rated for %.0f kg per dancer, for %d at once; these hold %d", r.activity, r.rigKg, group, holds)
			}
		}
	}
}

// surfaceOf is the surface8 number of the space in slot (0: indoor or not
// recorded).
func (st *state) surfaceOf(slot int32) uint8 {
	if d := st.details[slot]; d != nil {
		return surface8(d.surface)
	}
	return 0
}

func surfaceLabelOf(n uint8) string {
	if n == 0 {
		return SurfaceLabel("")
	}
	return SurfaceLabel(Surfaces[n-1])
}

// riggingHolds is how many dancers the space's rigging points hold at once.
func (st *state) riggingHolds(slot int32, sp *spaceRec, kgPerDancer float64) int {
	if sp.flags&flagRigging == 0 {
		return 0
	}
	if d := st.details[slot]; d != nil {
		return RiggingHolds(d.rigging, kgPerDancer)
	}
	return 0
}
