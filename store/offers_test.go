package store_test

import (
	"testing"

	"github.com/google/uuid"

	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

func TestOffers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg("Offerer", 52.0, 0.0)
		createOrg(t, db, &o, "")
		ctx := t.Context()

		off := newOffer(o.ID, "skill.youth-work")
		if err := db.CreateOffer(ctx, &off); err != nil {
			t.Fatalf("CreateOffer: %v", err)
		}
		got, err := db.GetOffer(ctx, off.ID)
		if err != nil {
			t.Fatalf("GetOffer: %v", err)
		}
		checkOffer(t, got, &off)

		org, err := db.GetOrganisation(ctx, o.ID)
		if err != nil {
			t.Fatalf("GetOrganisation: %v", err)
		}
		if len(org.Offers) != 1 || org.Offers[0].ID != off.ID {
			t.Errorf("GetOrganisation offers: got %v, want [%s]", ids(org.Offers, func(x *matching.Offer) string { return x.ID }), off.ID)
		}
		_, err = db.GetNeed(ctx, off.ID)
		checkErr(t, "GetNeed with an offer's ID", err, matching.ErrNotFound)

		dup := newOffer(o.ID, "skill.marketing")
		dup.ID = off.ID
		checkErr(t, "CreateOffer with a taken ID", db.CreateOffer(ctx, &dup), matching.ErrConflict)

		if err := db.DeleteOffer(ctx, off.ID); err != nil {
			t.Fatalf("DeleteOffer: %v", err)
		}
		_, err = db.GetOffer(ctx, off.ID)
		checkErr(t, "GetOffer after delete", err, matching.ErrNotFound)
		checkErr(t, "DeleteOffer twice", db.DeleteOffer(ctx, off.ID), matching.ErrNotFound)
		checkCount(t, db, store.Counts{Organisations: 1})
	})
}

func TestNeeds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg("Needer", 52.0, 0.0)
		createOrg(t, db, &o, "")
		ctx := t.Context()

		n := newNeed(o.ID, "resource.minibus")
		if err := db.CreateNeed(ctx, &n); err != nil {
			t.Fatalf("CreateNeed: %v", err)
		}
		got, err := db.GetNeed(ctx, n.ID)
		if err != nil {
			t.Fatalf("GetNeed: %v", err)
		}
		checkNeed(t, got, &n)

		org, err := db.GetOrganisation(ctx, o.ID)
		if err != nil {
			t.Fatalf("GetOrganisation: %v", err)
		}
		if len(org.Needs) != 1 || org.Needs[0].ID != n.ID {
			t.Errorf("GetOrganisation needs: got %v, want [%s]", ids(org.Needs, func(x *matching.Need) string { return x.ID }), n.ID)
		}
		_, err = db.GetOffer(ctx, n.ID)
		checkErr(t, "GetOffer with a need's ID", err, matching.ErrNotFound)

		dup := newNeed(o.ID, "skill.marketing")
		dup.ID = n.ID
		checkErr(t, "CreateNeed with a taken ID", db.CreateNeed(ctx, &dup), matching.ErrConflict)

		if err := db.DeleteNeed(ctx, n.ID); err != nil {
			t.Fatalf("DeleteNeed: %v", err)
		}
		_, err = db.GetNeed(ctx, n.ID)
		checkErr(t, "GetNeed after delete", err, matching.ErrNotFound)
		checkErr(t, "DeleteNeed twice", db.DeleteNeed(ctx, n.ID), matching.ErrNotFound)
		checkCount(t, db, store.Counts{Organisations: 1})
	})
}

func TestOfferNeedMissingOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		o := newOrg("Real", 52.0, 0.0)
		createOrg(t, db, &o, "")
		missing := uuid.NewString()
		tests := []struct {
			name   string
			create func() error
		}{
			{"offer", func() error { x := newOffer(missing, "skill.youth-work"); return db.CreateOffer(t.Context(), &x) }},
			{"need", func() error { x := newNeed(missing, "skill.youth-work"); return db.CreateNeed(t.Context(), &x) }},
			{"offer without organisation", func() error { x := newOffer("", "skill.youth-work"); return db.CreateOffer(t.Context(), &x) }},
			{"need without organisation", func() error { x := newNeed("", "skill.youth-work"); return db.CreateNeed(t.Context(), &x) }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				checkErr(t, "create", tt.create(), matching.ErrConflict)
				checkCount(t, db, store.Counts{Organisations: 1})
			})
		}
	})
}

func TestOfferNeedGetDeleteMissing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		id := uuid.NewString()
		_, err := db.GetOffer(t.Context(), id)
		checkErr(t, "GetOffer", err, matching.ErrNotFound)
		_, err = db.GetNeed(t.Context(), id)
		checkErr(t, "GetNeed", err, matching.ErrNotFound)
		checkErr(t, "DeleteOffer", db.DeleteOffer(t.Context(), id), matching.ErrNotFound)
		checkErr(t, "DeleteNeed", db.DeleteNeed(t.Context(), id), matching.ErrNotFound)
	})
}
