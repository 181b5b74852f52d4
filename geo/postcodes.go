package geo

import "strings"

// Postcodes of the United Kingdom: an outward code (the postcode district:
// "CB7", "PE19", "SW1A") and an inward code of a digit and two letters
// ("4DL"). Shapes of the outward code: A9, A99, A9A, AA9, AA99, AA9A.

// NormalisePostcode reads a full postcode in any case and spacing
// ("cb74dl", " CB7  4DL ") and returns it as it is written: upper case,
// one space before the inward code ("CB7 4DL"). ok is false when s is not
// shaped like a postcode (whether the postcode exists is not checked).
func NormalisePostcode(s string) (string, bool) {
	c, ok := compactPostcode(s, 5, 7)
	if !ok {
		return "", false
	}
	out, in := c[:len(c)-3], c[len(c)-3:]
	if !outwardCode(out) || !isDigit(in[0]) || !isLetter(in[1]) || !isLetter(in[2]) {
		return "", false
	}
	return out + " " + in, true
}

// NormalisePostcodeDistrict reads an outward code alone in any case
// ("cb7") and returns it upper case ("CB7"); ok is false when s is not
// shaped like one.
func NormalisePostcodeDistrict(s string) (string, bool) {
	c, ok := compactPostcode(s, 2, 4)
	if !ok || !outwardCode(c) {
		return "", false
	}
	return c, true
}

// PostcodeDistrict is the outward code of a postcode NormalisePostcode
// returned: "CB7 4DL" → "CB7".
func PostcodeDistrict(postcode string) string {
	d, _, _ := strings.Cut(postcode, " ")
	return d
}

// compactPostcode upper-cases s and drops its spaces; ok is false when
// what is left is not ASCII letters and digits, from lo to hi of them.
func compactPostcode(s string, lo, hi int) (string, bool) {
	if len(s) > 3*hi { // room for generous spacing, no more
		return "", false
	}
	var b [8]byte
	n := 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == ' ' || ch == '\t':
			continue
		case 'a' <= ch && ch <= 'z':
			ch -= 'a' - 'A'
		case isLetter(ch) || isDigit(ch):
		default:
			return "", false
		}
		if n == hi {
			return "", false
		}
		b[n] = ch
		n++
	}
	if n < lo {
		return "", false
	}
	return string(b[:n]), true
}

func outwardCode(o string) bool {
	if len(o) < 2 || len(o) > 4 || !isLetter(o[0]) {
		return false
	}
	if isLetter(o[1]) { // AA9, AA99, AA9A
		return len(o) >= 3 && isDigit(o[2]) && (len(o) == 3 || isDigit(o[3]) || isLetter(o[3]))
	}
	// A9, A99, A9A
	return isDigit(o[1]) && len(o) <= 3 && (len(o) == 2 || isDigit(o[2]) || isLetter(o[2]))
}

func isLetter(ch byte) bool { return 'A' <= ch && ch <= 'Z' }
func isDigit(ch byte) bool  { return '0' <= ch && ch <= '9' }
