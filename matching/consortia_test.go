package matching_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"commonground/matching"
)

const member2 = "44444444-0000-4000-8000-000000000004"

func forming() matching.ConsortiumPartnership {
	return matching.ConsortiumPartnership{
		ID: "c1", Name: "Fenland Dance Futures", Purpose: "Bid for the county's youth dance programme",
		LeadID: proposer, Status: matching.ConsortiumForming,
		Members: []matching.ConsortiumInvitee{{OrganisationID: partner, Response: matching.MemberInvited},
			{OrganisationID: member2, Response: matching.MemberInvited}},
		Roles: map[string]string{proposer: "leads the bid"},
		Bid: matching.Bid{Title: "Youth dance 2027–29", Commissioner: "Cambridgeshire County Council",
			Deadline: time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC)},
		CreatedAt: created, UpdatedAt: created,
	}
}

func TestConsortiumValidate(t *testing.T) {
	for _, c := range []struct {
		name   string
		edit   func(c *matching.ConsortiumPartnership)
		fields []string
	}{
		{"valid", func(c *matching.ConsortiumPartnership) {}, nil},
		{"no members", func(c *matching.ConsortiumPartnership) { c.Members = nil }, []string{"member_ids"}},
		{"the lead as a member", func(c *matching.ConsortiumPartnership) { c.Members[1].OrganisationID = proposer },
			[]string{"member_ids[1]"}},
		{"a member twice", func(c *matching.ConsortiumPartnership) { c.Members[1].OrganisationID = partner },
			[]string{"member_ids[1]"}},
		{"a role for an outsider", func(c *matching.ConsortiumPartnership) { c.Roles[outsider] = "x" },
			[]string{"roles." + outsider}},
		{"no bid", func(c *matching.ConsortiumPartnership) { c.Bid = matching.Bid{} },
			[]string{"bid.title", "bid.commissioner", "bid.deadline"}},
		{"deadline passed", func(c *matching.ConsortiumPartnership) { c.Bid.Deadline = matching.Date(created).AddDate(0, 0, -1) },
			[]string{"bid.deadline"}},
		{"no name or purpose", func(c *matching.ConsortiumPartnership) { c.Name, c.Purpose = "", " " },
			[]string{"name", "purpose"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := forming()
			c.edit(&k)
			err := k.Validate()
			if got := validationFields(t, err); !slices.Equal(got, c.fields) {
				t.Errorf("Validate: got fields %v (%v), want %v", got, err, c.fields)
			}
		})
	}
}

func TestConsortiumTransition(t *testing.T) {
	as := func(id string) matching.Actor { return matching.Actor{OrganisationID: id} }
	t.Run("accepted once every member accepts", func(t *testing.T) {
		k := forming()
		to, i, err := k.Transition(matching.ActionAccept, as(partner))
		if err != nil || to != matching.ConsortiumForming || i != 0 {
			t.Fatalf("first accept: got %s, %d, %v; want forming, 0", to, i, err)
		}
		k.Members[0].Response = matching.MemberAccepted
		if _, _, err := k.Transition(matching.ActionAccept, as(partner)); !errors.Is(err, matching.ErrConflict) {
			t.Errorf("accepting twice: got %v, want a conflict", err)
		}
		to, i, err = k.Transition(matching.ActionAccept, as(member2))
		if err != nil || to != matching.PartnershipAccepted || i != 1 {
			t.Fatalf("last accept: got %s, %d, %v; want accepted, 1", to, i, err)
		}
	})
	t.Run("one decline declines it", func(t *testing.T) {
		k := forming()
		k.Members[0].Response = matching.MemberAccepted
		if to, i, err := k.Transition(matching.ActionDecline, as(member2)); err != nil || to != matching.PartnershipDeclined || i != 1 {
			t.Errorf("decline: got %s, %d, %v", to, i, err)
		}
	})
	for _, c := range []struct {
		name   string
		status matching.PartnershipStatus
		action matching.PartnershipAction
		actor  matching.Actor
		want   error
		to     matching.PartnershipStatus
	}{
		{"the lead accepts", matching.ConsortiumForming, matching.ActionAccept, as(proposer), matching.ErrForbidden, ""},
		{"the operator accepts", matching.ConsortiumForming, matching.ActionAccept, matching.Actor{Operator: true}, matching.ErrForbidden, ""},
		{"an outsider", matching.ConsortiumForming, matching.ActionDecline, as(outsider), matching.ErrNotFound, ""},
		{"activate while forming", matching.ConsortiumForming, matching.ActionActivate, as(proposer), matching.ErrConflict, ""},
		{"the lead activates", matching.PartnershipAccepted, matching.ActionActivate, as(proposer), nil, matching.PartnershipActive},
		{"a member completes", matching.PartnershipActive, matching.ActionComplete, as(member2), nil, matching.PartnershipCompleted},
		{"the operator ends", matching.PartnershipActive, matching.ActionEnd, matching.Actor{Operator: true}, nil, matching.PartnershipEnded},
		{"accept once accepted", matching.PartnershipAccepted, matching.ActionAccept, as(partner), matching.ErrConflict, ""},
		{"end once declined", matching.PartnershipDeclined, matching.ActionEnd, as(partner), matching.ErrConflict, ""},
		{"unknown", matching.ConsortiumForming, "merge", as(partner), matching.ErrInvalid, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := forming()
			k.Status = c.status
			to, _, err := k.Transition(c.action, c.actor)
			if !errors.Is(err, c.want) || (err == nil && to != c.to) {
				t.Errorf("got %s, %v; want %s, %v", to, err, c.to, c.want)
			}
		})
	}
}

func TestIncompatible(t *testing.T) {
	tax := matching.NewTaxonomy(nil, []matching.Term{{Slug: "animal-welfare"}}, []matching.Term{{Slug: "animal-testing"}}, nil,
		[]matching.Conflict{{Value: "animal-welfare", Practice: "animal-testing"}})
	a := &matching.Organisation{ID: "a"}
	b := &matching.Organisation{ID: "b", Values: []string{"animal-welfare"}}
	c := &matching.Organisation{ID: "c", Practices: []string{"animal-testing"}}
	d := &matching.Organisation{ID: "d", Exclusions: []string{"animal-testing"}}
	if _, _, found := matching.Incompatible(tax, []*matching.Organisation{a, b, d}); found {
		t.Error("a, b, d: found an incompatible pair, want none")
	}
	x, y, found := matching.Incompatible(tax, []*matching.Organisation{a, b, c, d})
	if !found || x.ID != "b" || y.ID != "c" {
		t.Errorf("a, b, c, d: got %v %v %v, want the pair b, c", x, y, found)
	}
	// Brute force: the pair found is the first incompatible one, and none
	// is found only when every pair is compatible.
	orgs := []*matching.Organisation{a, b, c, d}
	for mask := 0; mask < 1<<len(orgs); mask++ {
		var set []*matching.Organisation
		for i, o := range orgs {
			if mask&(1<<i) != 0 {
				set = append(set, o)
			}
		}
		var want [2]string
		for i := range set {
			for j := i + 1; j < len(set) && want[0] == ""; j++ {
				if !tax.Compatible(set[i], set[j]) {
					want = [2]string{set[i].ID, set[j].ID}
				}
			}
			if want[0] != "" {
				break
			}
		}
		x, y, found := matching.Incompatible(tax, set)
		if found != (want[0] != "") || (found && [2]string{x.ID, y.ID} != want) {
			t.Errorf("set %b: got %v %v %v, want %v", mask, x, y, found, want)
		}
	}
}
