package matching

import (
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// uid is a UUID held as 16 bytes: the engine keeps a million of them.
type uid [16]byte

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// parseUID reads the canonical 36-character form of a UUID.
func parseUID(s string) (uid, bool) {
	var u uid
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	j := 0
	for i := 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i++
			continue
		}
		hi, ok1 := hexVal(s[i])
		lo, ok2 := hexVal(s[i+1])
		if !ok1 || !ok2 {
			return u, false
		}
		u[j] = hi<<4 | lo
		j++
		i += 2
	}
	return u, true
}

const hexDigits = "0123456789abcdef"

// String formats the UUID in its canonical lower-case form, whose string
// order is the byte order.
func (u uid) String() string {
	b := u.text()
	return string(b[:])
}

// uidLen is the length of a UUID's text.
const uidLen = 36

// text is the UUID's canonical text, lower-case hex with dashes.
func (u uid) text() [uidLen]byte {
	var b [uidLen]byte
	j := 0
	for i, x := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		b[j], b[j+1] = hexDigits[x>>4], hexDigits[x&15]
		j += 2
	}
	return b
}

// writeTo appends the UUID's text to b.
func (u uid) writeTo(b *strings.Builder) {
	t := u.text()
	b.Write(t[:])
}

// Space flags, one bit each, copied from the space and its venue.
const (
	flagMirrors uint16 = 1 << iota
	flagBarres
	flagSound
	flagChanging
	flagClimate
	flagObstructions
	flagInstant
	flagStepFree
	flagToilet
	flagLoop
	flagParking
	flagExtra // the space has booked periods in extras
	// What the activity rules read (activity.go). flagRigging: the space
	// has rigging points, in state.details; flagSmall: its floor area is
	// under LargeStudioM2 (as the star rating compared it, in float64).
	flagOutdoor
	flagTapBoards
	flagRigging
	flagSmall
)

// spaceFlags and setSpaceFlags carry a space's own yes/no fields into the
// engine's flags and back out to its view; a field added to one belongs in
// the other (a test fails for a yes/no field of Space that does not make
// the round trip).
func spaceFlags(s *Space) uint16 {
	var f uint16
	for _, b := range [...]struct {
		on  bool
		bit uint16
	}{{s.Mirrors, flagMirrors}, {s.Barres, flagBarres}, {s.SoundSystem, flagSound}, {s.ChangingRooms, flagChanging},
		{s.ClimateControl, flagClimate}, {s.Obstructions, flagObstructions}, {s.InstantBook, flagInstant},
		{s.IsOutdoor(), flagOutdoor}, {s.TapBoards, flagTapBoards}} {
		if b.on {
			f |= b.bit
		}
	}
	return f
}

func setSpaceFlags(v *SpaceView, f uint16) {
	v.Mirrors, v.Barres, v.SoundSystem = f&flagMirrors != 0, f&flagBarres != 0, f&flagSound != 0
	v.ChangingRooms, v.ClimateControl, v.Obstructions = f&flagChanging != 0, f&flagClimate != 0, f&flagObstructions != 0
	v.InstantBook = f&flagInstant != 0
	v.Outdoor, v.TapBoards = f&flagOutdoor != 0, f&flagTapBoards != 0
}

// spaceRec is the engine's compact copy of a space: what matching needs,
// nothing more (about 130 bytes with its index entries).
type spaceRec struct {
	id         uid
	loc        orb.Point
	name       string // interned
	venue      int32  // venue slot
	org        int32  // organisation slot
	capacity   int32
	area       float32
	ceiling    float32
	prices     [3]int32 // by tier; -1 when the tier has no price
	prohibited uint64   // activity bits
	hours      int32    // interned opening-hours pattern
	closures   int32    // interned closure list, -1 for none
	flags      uint16
	floor      Floor8
	kind       uint8 // index into SpaceKinds
	fit        uint8
	live       bool
	zone       uint16 // the venue's time zone, index into state.zones
	// turnaround is the space's TurnaroundMinutes, which availability
	// keeps clear around its bookings (it takes the record from 104 to
	// 112 bytes). The other fair-use rules decide bookings in the store,
	// not matching, and are not kept.
	turnaround uint16
	// horizon is the space's HorizonDays (at most MaxBookingHorizonDays):
	// a session that starts later than that after the request's now is
	// not free. It fits in the record's padding (still 112 bytes).
	horizon uint16
}

// gap is the turnaround kept clear around the space's bookings.
func (sp *spaceRec) gap() time.Duration { return time.Duration(sp.turnaround) * time.Minute }

// starLosses is the stars each criterion of the Fit to Dance rubric costs
// the space, in StarCriteria order, as Space.starLosses works them out.
func (sp *spaceRec) starLosses() [5]uint8 {
	var l [5]uint8
	switch Floors[sp.floor] {
	case FloorSprung:
	case FloorSemiSprung:
		l[0] = 1
	default:
		l[0] = 2
	}
	for i, lost := range [...]bool{sp.flags&flagSmall != 0, sp.flags&flagClimate == 0, sp.flags&flagObstructions != 0,
		sp.flags&(flagBarres|flagMirrors) == 0} {
		if lost {
			l[i+1] = 1
		}
	}
	return l
}

// Floor8 is a floor as a small integer (index into Floors).
type Floor8 uint8

func floor8(f Floor) Floor8 {
	for i, x := range Floors {
		if x == f {
			return Floor8(i)
		}
	}
	return Floor8(len(Floors) - 1)
}

// venueRec is the engine's copy of a venue.
type venueRec struct {
	id       uid
	name     string
	address  string
	postcode string
	org      int32
	loc      orb.Point
	zone     *time.Location
	access   Accessibility
	spaces   []int32
	live     bool
}

// orgRec is the engine's copy of an organisation: what values checks and
// partner matching need.
type orgRec struct {
	id       string // shares the bytes of the orgByID key
	name     string
	loc      orb.Point
	typ      uint8 // index into OrgTypes
	values   uint64
	radiusKm float32
	capacity int32
	offers   []catHours
	needs    []catHours
	// rooms are its needs for a room (space.* categories), with what
	// each says of the room: what MatchGroups reads.
	rooms []roomNeed
	// practices and objects are taxonomy bit sets: what it does, and what
	// it will not work with (its exclusions plus the practices its values
	// conflict with). Two organisations are compatible when neither's
	// practices meet the other's objects.
	practices, objects uint64
	venues             []int32
	// trusted is TrustedPartnerships, saturating at 255 (partner matching
	// counts up to 3).
	trusted uint8
	live    bool
}

// spaceDetail holds what only outdoor spaces and spaces with rigging have,
// so the many that have neither carry none of it.
type spaceDetail struct {
	surface Surface
	rigging []RiggingPoint
}

// extra holds what few spaces have: booked periods.
type extra struct {
	booked []Session // sorted by start, not overlapping
}

// catHours is an offer or need: a category (index into the taxonomy's
// Categories) and hours a month.
type catHours struct {
	cat   uint16
	hours uint16
}

// roomNeed is a need for a room as the engine keeps it.
type roomNeed struct {
	id        string
	cat       uint16 // index into the taxonomy's Categories
	groupSize int32
	activity  string
	maxPence  int32
	windows   []Window
}
