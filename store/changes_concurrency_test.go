package store_test

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"commonground/geo"
	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

// TestConcurrentWritesAndFollower runs 8 writers of 25 writes each while a
// reader follows with ChangesSince: revisions come out gap-free, one per
// write, and the reader ends up with exactly what the store holds, having
// seen every entity ever created.
func TestConcurrentWritesAndFollower(t *testing.T) {
	const writers, perWriter = 8, 25
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		start := revision(t, db)
		var (
			mu      sync.Mutex
			created = map[string]bool{}
		)
		note := func(ids ...string) {
			mu.Lock()
			defer mu.Unlock()
			for _, id := range ids {
				created[id] = true
			}
		}
		writer := func(w int) error {
			n := 0
			do := func(err error) error {
				n++
				return err
			}
			o := newOrg(fmt.Sprintf("Writer %d", w), 52, float64(w)/10)
			if err := do(db.CreateOrganisation(ctx, &o, "")); err != nil {
				return err
			}
			note(o.ID)
			var spaces []matching.Space
			var venues []matching.Venue
			for i := range 2 {
				v := newVenue(o.ID, fmt.Sprintf("Venue %d-%d", w, i), 52, float64(w)/10)
				if err := do(db.CreateVenue(ctx, &v)); err != nil {
					return err
				}
				note(v.ID)
				venues = append(venues, v)
				for j := range 5 {
					s := newSpace(v.ID, fmt.Sprintf("Space %d-%d-%d", w, i, j))
					if err := do(db.CreateSpace(ctx, &s)); err != nil {
						return err
					}
					note(s.ID)
					spaces = append(spaces, s)
				}
			}
			var offers []matching.Offer
			for range 2 {
				off := newOffer(o.ID, "skill.marketing")
				if err := do(db.CreateOffer(ctx, &off)); err != nil {
					return err
				}
				offers = append(offers, off)
			}
			need := newNeed(o.ID, "space.hall")
			if err := do(db.CreateNeed(ctx, &need)); err != nil {
				return err
			}
			for i := range 5 {
				spaces[i].Capacity = 100 + i
				if err := do(saveSpace(ctx, db, &spaces[i])); err != nil {
					return err
				}
			}
			venues[1].Location = geo.MustPoint(52.5, float64(w)/10)
			if err := do(saveVenue(ctx, db, &venues[1])); err != nil {
				return err
			}
			o.Name += " (renamed)"
			if err := do(saveOrganisation(ctx, db, &o)); err != nil {
				return err
			}
			if err := do(db.DeleteSpace(ctx, spaces[0].ID)); err != nil {
				return err
			}
			if err := do(db.DeleteOffer(ctx, offers[0].ID)); err != nil {
				return err
			}
			if n != perWriter {
				return fmt.Errorf("writer %d made %d writes, want %d", w, n, perWriter)
			}
			return nil
		}

		// The follower: a model of the store built only from change sets.
		model := struct {
			orgs   map[string]matching.Organisation
			venues map[string]matching.Venue
			spaces map[string]matching.Space
			seen   map[string]bool
		}{map[string]matching.Organisation{}, map[string]matching.Venue{}, map[string]matching.Space{}, map[string]bool{}}
		apply := func(cs *matching.ChangeSet) {
			for _, id := range cs.DeletedSpaces {
				delete(model.spaces, id)
				model.seen[id] = true
			}
			for _, id := range cs.DeletedVenues {
				delete(model.venues, id)
				model.seen[id] = true
			}
			for _, id := range cs.DeletedOrganisations {
				delete(model.orgs, id)
				model.seen[id] = true
			}
			for _, o := range cs.Organisations {
				model.orgs[o.ID] = o
				model.seen[o.ID] = true
			}
			for _, v := range cs.Venues {
				model.venues[v.ID] = v
				model.seen[v.ID] = true
			}
			for _, s := range cs.Spaces {
				model.spaces[s.ID] = s
				model.seen[s.ID] = true
			}
		}
		done := make(chan struct{})
		followed := make(chan error, 1)
		since, polls, nonEmpty := start, 0, 0
		go func() {
			for {
				select {
				case <-done:
					followed <- nil
					return
				default:
				}
				cs, err := db.ChangesSince(ctx, since)
				if err != nil {
					followed <- err
					return
				}
				if cs.Reload || cs.Revision < since {
					followed <- fmt.Errorf("ChangesSince(%d): got reload %v at revision %d", since, cs.Reload, cs.Revision)
					return
				}
				apply(cs)
				since = cs.Revision
				polls++
				if !cs.Empty() {
					nonEmpty++
				}
			}
		}()

		var wg sync.WaitGroup
		errs := make([]error, writers)
		for w := range writers {
			wg.Go(func() { errs[w] = writer(w) })
		}
		wg.Wait()
		close(done)
		if err := <-followed; err != nil {
			t.Fatalf("follower: %v", err)
		}
		t.Logf("follower polled %d times, %d with changes", polls, nonEmpty)
		for w, err := range errs {
			if err != nil {
				t.Errorf("writer %d: %v", w, err)
			}
		}
		final := revision(t, db)
		if want := start + writers*perWriter; final != want {
			t.Errorf("final revision: got %d, want %d", final, want)
		}
		if got, want := changeLog(t, db), revisionsUpTo(final); !reflect.DeepEqual(got, want) {
			t.Errorf("change_log: got %d rows %v, want one per revision 1..%d", len(got), got, final)
		}
		apply(changesSince(t, db, since))

		for id := range created {
			if !model.seen[id] {
				t.Errorf("follower never saw %s", id)
			}
		}
		orgs, err := db.ListOrganisations(ctx, matching.OrganisationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		venues, err := db.ListVenues(ctx, matching.VenueFilter{})
		if err != nil {
			t.Fatal(err)
		}
		spaces, err := db.ListSpaces(ctx, matching.SpaceFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := sorted(keys(model.orgs)), sorted(orgIDs(orgs)); !reflect.DeepEqual(got, want) {
			t.Errorf("follower's organisations: got %d, want %d", len(got), len(want))
		}
		if got, want := sorted(keys(model.venues)), sorted(venueIDs(venues)); !reflect.DeepEqual(got, want) {
			t.Errorf("follower's venues: got %d, want %d", len(got), len(want))
		}
		if got, want := sorted(keys(model.spaces)), sorted(spaceIDs(spaces)); !reflect.DeepEqual(got, want) {
			t.Errorf("follower's spaces: got %d, want %d", len(got), len(want))
		}
		for i := range orgs {
			m := model.orgs[orgs[i].ID]
			checkOrganisation(t, &m, &orgs[i])
		}
		for i := range venues {
			m := model.venues[venues[i].ID]
			checkVenue(t, &m, &venues[i])
		}
		for i := range spaces {
			m := model.spaces[spaces[i].ID]
			checkSpace(t, &m, &spaces[i])
		}
	})
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
