package matching

// ActivityProfile is what an activity needs of a room.
type ActivityProfile struct {
	// MinAreaPerDancerM2 is the least floor area per dancer.
	MinAreaPerDancerM2 float64
	// MinCeilingM is the least ceiling height (0: no requirement). A space
	// whose ceiling height is unknown does not meet a requirement.
	MinCeilingM float64
	// UnsuitableFloors are floors the activity cannot safely use.
	UnsuitableFloors []Floor
}

// Activity defaults. They follow the aims of the One Dance UK / Equity
// "Fit to Dance Space" charter — a sprung or semi-sprung floor, room to
// move for the group, height for lifts and jumps — with figures in the
// range studio-hire guidance uses: 2–4 m² per dancer for studio styles
// (less for styles danced on the spot, such as tap and flamenco; more for
// partner work in ballroom), about 3.5 m of ceiling where lifts and jumps
// are part of the style, and 6 m and 9 m² per performer for aerial work,
// which needs rigging height and landing room. Hard, unforgiving floors
// (concrete) are unsuitable for jump-heavy styles; carpet for any style
// that turns, slides or taps. They are defaults: a deployment can change
// them through EngineOptions.
var DefaultActivityProfiles = map[string]ActivityProfile{
	"ballet":                {3.5, 3.5, []Floor{FloorCarpet, FloorConcrete}},
	"contemporary":          {3.5, 3.5, []Floor{FloorCarpet, FloorConcrete}},
	"jazz":                  {3.0, 3.0, []Floor{FloorCarpet, FloorConcrete}},
	"musical-theatre":       {3.0, 3.0, []Floor{FloorCarpet, FloorConcrete}},
	"hip-hop":               {3.0, 0, []Floor{FloorCarpet}},
	"street":                {3.0, 0, []Floor{FloorCarpet}},
	"tap":                   {2.0, 0, []Floor{FloorCarpet}},
	"flamenco":              {2.0, 0, []Floor{FloorCarpet}},
	"irish":                 {2.5, 0, []Floor{FloorCarpet, FloorConcrete}},
	"ballroom":              {4.0, 0, []Floor{FloorCarpet, FloorConcrete}},
	"folk":                  {3.0, 0, []Floor{FloorCarpet}},
	"aerial":                {9.0, 6.0, []Floor{FloorCarpet}},
	"contact-improvisation": {4.0, 3.0, []Floor{FloorConcrete}},
	"cheerleading":          {4.0, 4.0, []Floor{FloorCarpet, FloorConcrete}},
	"heels":                 {3.0, 0, []Floor{FloorCarpet}},
}

// defaultProfile applies to activities without their own profile.
var defaultProfile = ActivityProfile{MinAreaPerDancerM2: 3.0, UnsuitableFloors: []Floor{FloorCarpet}}

// floorBits turns floors into a bit set over Floors.
func floorBits(fs []Floor) uint8 {
	var b uint8
	for _, f := range fs {
		b |= 1 << floor8(f)
	}
	return b
}
