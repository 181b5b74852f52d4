package openactive

import (
	"net/url"
	"strconv"

	"commonground/matching"
)

// License is the licence the feeds' data is published under: Creative
// Commons Attribution 4.0.
const License = "https://creativecommons.org/licenses/by/4.0/"

// PageSize is how many items a full feed page holds (RPDE recommends at
// least 500).
const PageSize = 500

// RPDE item states and kinds.
const (
	StateUpdated    = "updated"
	StateDeleted    = "deleted"
	KindFacilityUse = "FacilityUse"
	KindSlot        = "FacilityUseSlot"
)

// Item is an RPDE 1.0 item. Data is left out of deleted items.
type Item struct {
	State    string `json:"state"`
	Kind     string `json:"kind"`
	ID       string `json:"id"`
	Modified int64  `json:"modified"`
	Data     any    `json:"data,omitempty"`
}

// Page is an RPDE 1.0 page: next is absolute, and is the page's own URL
// when it holds no items (the end of the feed, for now).
type Page struct {
	Next    string `json:"next"`
	Items   []Item `json:"items"`
	License string `json:"license"`
}

// Cursor is where a page starts: after the item with Modified and ID, in
// the feed's order (modified, then ID). The zero Cursor is the feed's
// start.
type Cursor struct {
	Set      bool
	Modified int64
	ID       string
}

// before reports whether the item (m, id) comes after the cursor.
func (c Cursor) before(m int64, id string) bool {
	return !c.Set || m > c.Modified || (m == c.Modified && id > c.ID)
}

// maxIDLen bounds afterId: item IDs are at most a UUID and a time stamp.
const maxIDLen = 200

// ParseCursor reads the afterTimestamp and afterId query parameters (the
// Modified Timestamp and ID ordering strategy): both or neither;
// afterTimestamp a whole number of at most 18 digits, afterId text of at
// most 200 bytes without control characters. Its errors are
// *matching.ValidationError, naming the parameter.
func ParseCursor(q url.Values) (Cursor, error) {
	ts, hasTS := q["afterTimestamp"]
	id, hasID := q["afterId"]
	switch {
	case !hasTS && !hasID:
		return Cursor{}, nil
	case !hasTS:
		return Cursor{}, matching.Invalid("afterTimestamp", "is needed with afterId")
	case !hasID:
		return Cursor{}, matching.Invalid("afterId", "is needed with afterTimestamp")
	case len(ts) > 1:
		return Cursor{}, matching.Invalid("afterTimestamp", "is given more than once")
	case len(id) > 1:
		return Cursor{}, matching.Invalid("afterId", "is given more than once")
	}
	if len(ts[0]) == 0 || len(ts[0]) > 18 {
		return Cursor{}, matching.Invalid("afterTimestamp", "must be a whole number of 1 to 18 digits")
	}
	m, err := strconv.ParseInt(ts[0], 10, 64)
	if err != nil || m < 0 || ts[0][0] == '+' {
		return Cursor{}, matching.Invalid("afterTimestamp", "must be a whole number of 1 to 18 digits")
	}
	if id[0] == "" || len(id[0]) > maxIDLen {
		return Cursor{}, matching.Invalid("afterId", "must be an item ID of 1 to %d bytes", maxIDLen)
	}
	for _, r := range id[0] {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return Cursor{}, matching.Invalid("afterId", "must be an item ID without control characters")
		}
	}
	return Cursor{Set: true, Modified: m, ID: id[0]}, nil
}

// PageURL is the feed's URL for the page after the cursor.
func PageURL(feed string, c Cursor) string {
	if !c.Set {
		return feed
	}
	return feed + "?afterTimestamp=" + strconv.FormatInt(c.Modified, 10) + "&afterId=" + url.QueryEscape(c.ID)
}

// newPage wraps items (at most one page, in feed order) with the next
// URL: after the last item, or the page's own URL when there is none.
func newPage(feed string, at Cursor, items []Item) *Page {
	next := at
	if n := len(items); n > 0 {
		next = Cursor{Set: true, Modified: items[n-1].Modified, ID: items[n-1].ID}
	}
	if items == nil {
		items = []Item{}
	}
	return &Page{Next: PageURL(feed, next), Items: items, License: License}
}
