package seed

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/paulmach/orb"

	"commonground/geo"
)

// newRand returns the generator every seeded function draws from, so the
// same seed number always yields the same data.
func newRand(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x636f6d6d6f6e67)) // "commong"
}

const hexDigits = "0123456789abcdef"

// uuidFrom formats a version-4 UUID from two random words.
func uuidFrom(hi, lo uint64) string {
	var b [16]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	var s [36]byte
	j := 0
	for i, x := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			s[j] = '-'
			j++
		}
		s[j] = hexDigits[x>>4]
		s[j+1] = hexDigits[x&0x0f]
		j += 2
	}
	return string(s[:])
}

// newUUID draws a version-4 UUID from r.
func newUUID(r *rand.Rand) string { return uuidFrom(r.Uint64(), r.Uint64()) }

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// between returns an int in [lo, hi].
func between(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// betweenF returns a float in [lo, hi) rounded to one decimal place.
func betweenF(r *rand.Rand, lo, hi float64) float64 {
	return math.Round((lo+r.Float64()*(hi-lo))*10) / 10
}

// pick returns one element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// roundTo rounds n to the nearest multiple of step.
func roundTo(n, step int) int { return (n + step/2) / step * step }

// jitter returns a point between minKm and maxKm from (lat, lon) in a
// random direction.
func jitter(r *rand.Rand, lat, lon, minKm, maxKm float64) orb.Point {
	d := minKm + r.Float64()*(maxKm-minKm)
	theta := r.Float64() * 2 * math.Pi
	dLat := d / 111.32 * math.Cos(theta)
	dLon := d / (111.32 * math.Cos(lat*math.Pi/180)) * math.Sin(theta)
	return geo.MustPoint(round6(lat+dLat), round6(lon+dLon))
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// spread is how far from a place's centre its buildings lie: a few hundred
// metres to 2 km in the demo county, further in big cities at scale.
func (g *gen) spread(p *Place) (minKm, maxKm float64) {
	if g.wide {
		return 0.1, math.Min(12, 0.5+math.Sqrt(float64(p.Population))/150)
	}
	switch {
	case p.Population >= 100000:
		return 0.3, 2.0
	case p.Population >= 10000:
		return 0.2, 1.5
	default:
		return 0.1, 0.8
	}
}

// weighted picks indexes in proportion to non-negative weights.
type weighted struct {
	cum []float64
}

func newWeighted(weights []float64) weighted {
	cum := make([]float64, len(weights))
	total := 0.0
	for i, w := range weights {
		total += w
		cum[i] = total
	}
	return weighted{cum: cum}
}

func (w weighted) pick(r *rand.Rand) int {
	x := r.Float64() * w.cum[len(w.cum)-1]
	lo, hi := 0, len(w.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if w.cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// inwardLetters are the letters UK inward postcodes use (no C, I, K, M, O, V).
const inwardLetters = "ABDEFGHJLNPQRSTUWXYZ"

// postcode returns a plausible full postcode in district.
func postcode(r *rand.Rand, district string) string {
	b := make([]byte, 0, len(district)+4)
	b = append(b, district...)
	b = append(b, ' ', byte('1'+r.IntN(9)), inwardLetters[r.IntN(len(inwardLetters))], inwardLetters[r.IntN(len(inwardLetters))])
	return string(b)
}

// itoa is strconv.Itoa, short for the name builders.
func itoa(n int) string { return strconv.Itoa(n) }
