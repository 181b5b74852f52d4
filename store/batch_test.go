package store_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"

	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

type batch struct {
	orgs   []matching.Organisation
	venues []matching.Venue
	spaces []matching.Space
}

// newBatch builds nOrgs organisations, each with two offers, one need, one
// venue and two spaces that carry their venue's owner and location, as
// InsertBatch expects.
func newBatch(nOrgs int) batch {
	var b batch
	for i := range nOrgs {
		o := newOrg(fmt.Sprintf("Batch Org %d", i), 52+float64(i)/1000, 0.1)
		o.Offers = []matching.Offer{newOffer(o.ID, "skill.dance-teaching"), newOffer(o.ID, "space.hall")}
		o.Needs = []matching.Need{newNeed(o.ID, "skill.bid-writing")}
		b.orgs = append(b.orgs, o)
		v := newVenue(o.ID, fmt.Sprintf("Batch Venue %d", i), 52+float64(i)/1000, 0.2)
		b.venues = append(b.venues, v)
		for j := range 2 {
			s := newSpace(v.ID, fmt.Sprintf("Batch Space %d-%d", i, j))
			s.OrganisationID, s.Location = o.ID, v.Location
			b.spaces = append(b.spaces, s)
		}
	}
	return b
}

func (b batch) counts() store.Counts {
	var c store.Counts
	c.Organisations = int64(len(b.orgs))
	for _, o := range b.orgs {
		c.Offers += int64(len(o.Offers))
		c.Needs += int64(len(o.Needs))
	}
	c.Venues, c.Spaces = int64(len(b.venues)), int64(len(b.spaces))
	return c
}

func TestInsertBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// More offers (600) and spaces (600) than one INSERT holds (500 and
		// 250 rows), so the statement batching is exercised too.
		b := newBatch(300)
		if err := db.InsertBatch(t.Context(), b.orgs, b.venues, b.spaces); err != nil {
			t.Fatalf("InsertBatch: %v", err)
		}
		checkCount(t, db, b.counts())
		if got, want := count(t, db), (store.Counts{Organisations: 300, Offers: 600, Needs: 300, Venues: 300, Spaces: 600}); got != want {
			t.Errorf("Count: got %+v, want %+v", got, want)
		}
		for _, i := range []int{0, 150, 299} {
			o, err := db.GetOrganisation(t.Context(), b.orgs[i].ID)
			if err != nil {
				t.Fatalf("GetOrganisation: %v", err)
			}
			checkOrganisation(t, o, &b.orgs[i])
			v, err := db.GetVenue(t.Context(), b.venues[i].ID)
			if err != nil {
				t.Fatalf("GetVenue: %v", err)
			}
			checkVenue(t, v, &b.venues[i])
			s, err := db.GetSpace(t.Context(), b.spaces[2*i+1].ID)
			if err != nil {
				t.Fatalf("GetSpace: %v", err)
			}
			checkSpace(t, s, &b.spaces[2*i+1])
			if got, want := fitToDanceColumn(t, db, s.ID), s.FitToDance(); got != want {
				t.Errorf("fit_to_dance column: got %d, want %d", got, want)
			}
		}
		// A second batch adds to the first.
		more := newBatch(2)
		if err := db.InsertBatch(t.Context(), more.orgs, more.venues, more.spaces); err != nil {
			t.Fatalf("second InsertBatch: %v", err)
		}
		want := b.counts()
		m := more.counts()
		want.Organisations += m.Organisations
		want.Offers += m.Offers
		want.Needs += m.Needs
		want.Venues += m.Venues
		want.Spaces += m.Spaces
		checkCount(t, db, want)
	})
}

func TestInsertBatchEmpty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.InsertBatch(t.Context(), nil, nil, nil); err != nil {
			t.Fatalf("InsertBatch(nil, nil, nil): %v", err)
		}
		checkCount(t, db, store.Counts{})
	})
}

// TestInsertBatchAtomic gives InsertBatch batches with one bad row each:
// it fails with a domain error and writes nothing at all.
func TestInsertBatchAtomic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		existing := newBatch(1)
		if err := db.InsertBatch(t.Context(), existing.orgs, existing.venues, existing.spaces); err != nil {
			t.Fatalf("InsertBatch: %v", err)
		}
		before := count(t, db)

		tests := []struct {
			name  string
			spoil func(b *batch)
		}{
			{"space in a missing venue", func(b *batch) { b.spaces[3].VenueID = uuid.NewString() }},
			{"space of a missing organisation", func(b *batch) { b.spaces[3].OrganisationID = uuid.NewString() }},
			{"venue of a missing organisation", func(b *batch) { b.venues[2].OrganisationID = uuid.NewString() }},
			{"offer of a missing organisation", func(b *batch) { b.orgs[2].Offers[1].OrganisationID = uuid.NewString() }},
			{"need of a missing organisation", func(b *batch) { b.orgs[2].Needs[0].OrganisationID = uuid.NewString() }},
			{"duplicate organisation ID in the batch", func(b *batch) { b.orgs[2].ID = b.orgs[1].ID }},
			{"organisation ID already stored", func(b *batch) {
				old := b.orgs[2].ID
				b.orgs[2].ID = existing.orgs[0].ID
				// Keep everything else pointing at an organisation of the batch.
				for i := range b.orgs[2].Offers {
					b.orgs[2].Offers[i].OrganisationID = b.orgs[0].ID
				}
				for i := range b.orgs[2].Needs {
					b.orgs[2].Needs[i].OrganisationID = b.orgs[0].ID
				}
				for i := range b.venues {
					if b.venues[i].OrganisationID == old {
						b.venues[i].OrganisationID = b.orgs[0].ID
					}
				}
				for i := range b.spaces {
					if b.spaces[i].OrganisationID == old {
						b.spaces[i].OrganisationID = b.orgs[0].ID
					}
				}
			}},
			{"duplicate offer ID", func(b *batch) { b.orgs[3].Offers[0].ID = b.orgs[1].Offers[1].ID }},
			{"duplicate venue ID", func(b *batch) {
				old := b.venues[3].ID
				b.venues[3].ID = existing.venues[0].ID
				for i := range b.spaces {
					if b.spaces[i].VenueID == old {
						b.spaces[i].VenueID = b.venues[0].ID
					}
				}
			}},
			{"duplicate space ID in the batch", func(b *batch) { b.spaces[5].ID = b.spaces[0].ID }},
			{"space ID already stored", func(b *batch) { b.spaces[7].ID = existing.spaces[1].ID }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				b := newBatch(4)
				tt.spoil(&b)
				err := db.InsertBatch(t.Context(), b.orgs, b.venues, b.spaces)
				checkErr(t, "InsertBatch", err, matching.ErrConflict)
				checkCount(t, db, before)
				_, err = db.GetOrganisation(t.Context(), b.orgs[0].ID)
				checkErr(t, "GetOrganisation of the failed batch", err, matching.ErrNotFound)
			})
		}
	})
}
