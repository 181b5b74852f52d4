package matching

import (
	"encoding/binary"
	"iter"
)

// idIndex maps a UUID to a slot in a table whose records hold their own
// UUID: an open-addressing hash table of slots alone (4 bytes each, at
// most 3/4 full), about a tenth of what a Go map of [16]byte to int32
// costs. keyOf reads a slot's UUID back from the table.
type idIndex struct {
	table []int32 // slot+1; 0 is empty
	n     int
	keyOf func(slot int32) uid
}

func newIDIndex(keyOf func(int32) uid) *idIndex {
	return &idIndex{table: make([]int32, 16), keyOf: keyOf}
}

// hash mixes the UUID's last eight bytes, which are random in version 4
// and version 7 UUIDs alike.
func hashUID(u uid) uint64 {
	x := binary.LittleEndian.Uint64(u[8:]) ^ binary.LittleEndian.Uint64(u[:8])*0x9e3779b97f4a7c15
	x ^= x >> 31
	x *= 0xbf58476d1ce4e5b9
	return x ^ x>>29
}

// Get returns the slot holding u.
func (ix *idIndex) Get(u uid) (int32, bool) {
	mask := uint64(len(ix.table) - 1)
	for i := hashUID(u) & mask; ; i = (i + 1) & mask {
		s := ix.table[i]
		if s == 0 {
			return 0, false
		}
		if ix.keyOf(s-1) == u {
			return s - 1, true
		}
	}
}

// Set records that u lives in slot. The table must already hold u's key
// at that slot (keyOf(slot) == u).
func (ix *idIndex) Set(u uid, slot int32) {
	if (ix.n+1)*4 > len(ix.table)*3 {
		ix.grow()
	}
	mask := uint64(len(ix.table) - 1)
	for i := hashUID(u) & mask; ; i = (i + 1) & mask {
		s := ix.table[i]
		if s == 0 {
			ix.table[i] = slot + 1
			ix.n++
			return
		}
		if ix.keyOf(s-1) == u {
			ix.table[i] = slot + 1
			return
		}
	}
}

// Delete forgets u. It must be called while keyOf still reads u at its
// slot. Later entries of the probe run shift back, so no tombstones
// are needed.
func (ix *idIndex) Delete(u uid) {
	mask := uint64(len(ix.table) - 1)
	i := hashUID(u) & mask
	for {
		s := ix.table[i]
		if s == 0 {
			return
		}
		if ix.keyOf(s-1) == u {
			break
		}
		i = (i + 1) & mask
	}
	ix.table[i] = 0
	ix.n--
	// Backward-shift deletion: move up any entry whose home lies at or
	// before the hole.
	for j := (i + 1) & mask; ix.table[j] != 0; j = (j + 1) & mask {
		home := hashUID(ix.keyOf(ix.table[j]-1)) & mask
		// Is home cyclically outside (i, j]? Then the entry may move to i.
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			ix.table[i], ix.table[j] = ix.table[j], 0
			i = j
		}
	}
}

func (ix *idIndex) grow() {
	old := ix.table
	ix.table = make([]int32, len(old)*2)
	ix.n = 0
	mask := uint64(len(ix.table) - 1)
	for _, s := range old {
		if s == 0 {
			continue
		}
		for i := hashUID(ix.keyOf(s-1)) & mask; ; i = (i + 1) & mask {
			if ix.table[i] == 0 {
				ix.table[i] = s
				ix.n++
				break
			}
		}
	}
}

// Len is the number of IDs held.
func (ix *idIndex) Len() int { return ix.n }

// All yields every ID with its slot, in no particular order.
func (ix *idIndex) All() iter.Seq2[uid, int32] {
	return func(yield func(uid, int32) bool) {
		for _, s := range ix.table {
			if s != 0 && !yield(ix.keyOf(s-1), s-1) {
				return
			}
		}
	}
}

// renumber moves every entry to its new slot, remap[old] (the records
// themselves have moved there already).
func (ix *idIndex) renumber(remap []int32) {
	for i, s := range ix.table {
		if s != 0 {
			ix.table[i] = remap[s-1] + 1
		}
	}
}
