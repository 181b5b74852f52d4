package store_test

import (
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

// amend edits partnership id as actor, returning what UpdatePartnership
// returns.
func amend(t *testing.T, db *store.DB, id string, actor matching.Actor, edit func(p *matching.Partnership)) (*matching.Partnership, *matching.Amendment, error) {
	t.Helper()
	return db.UpdatePartnership(t.Context(), id, actor, func(p *matching.Partnership) error { edit(p); return nil })
}

func versions(t *testing.T, db *store.DB, id string) []matching.AgreementVersion {
	t.Helper()
	vs, err := db.ListAgreementVersions(t.Context(), id, 0, 0)
	if err != nil {
		t.Fatalf("ListAgreementVersions: %v", err)
	}
	return vs
}

func TestAmendmentByConsent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pr := newPair(t, db)
		p := newPartnership(pr.proposer.ID, pr.partner.ID)
		createPartnership(t, db, &p)
		if vs := versions(t, db, p.ID); len(vs) != 0 {
			t.Errorf("a proposed partnership has %d agreement versions, want none", len(vs))
		}
		transition(t, db, p.ID, pr.as(pr.partner), matching.ActionAccept)
		original := getPartnership(t, db, p.ID).Agreement()
		if vs := versions(t, db, p.ID); len(vs) != 1 || vs[0].Version != 1 || vs[0].Amendment != 0 || !reflect.DeepEqual(vs[0].Agreement, original) {
			t.Fatalf("versions once accepted: got %+v, want version 1, the agreement as accepted", vs)
		}
		before := outboxCounts(t, db)

		// A change proposed by one side waits; the agreement stays.
		review := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
		got, am, err := amend(t, db, p.ID, pr.as(pr.proposer), func(q *matching.Partnership) {
			q.Purpose, q.ReviewOn = "Youth dance twice a week", review
		})
		if err != nil || am == nil {
			t.Fatalf("amend: got %v, %v; want an amendment", am, err)
		}
		if am.N != 1 || am.Status != matching.AmendmentProposed || am.ProposedBy != pr.proposer.ID ||
			am.Changes.Purpose == nil || am.Changes.ReviewOn == nil || am.Changes.Roles != nil || am.Changes.Outcomes != nil {
			t.Errorf("amendment: got %+v", am)
		}
		for what, q := range map[string]*matching.Partnership{"returned": got, "stored": getPartnership(t, db, p.ID)} {
			if !reflect.DeepEqual(q.Agreement(), original) {
				t.Errorf("%s agreement changed before consent: %+v", what, q.Agreement())
			}
		}
		if after := outboxCounts(t, db); after != [3]int64{before[0] + 1, before[1] + 1, before[2] + 1} {
			t.Errorf("events, notifications, jobs: got %v, want one more each than %v", after, before)
		}
		checkEvent(t, recordedEvents(t, db), matching.EventPartnershipAmendmentProposed, p.ID, "", []string{pr.partner.ID},
			map[string]any{"amendment": 1.0, "proposed_by": pr.proposer.ID, "fields": []any{"purpose", "review_on"}})

		// One waits at a time; the proposer cannot answer it.
		_, _, err = amend(t, db, p.ID, pr.as(pr.partner), func(q *matching.Partnership) { q.Outcomes = []string{"x"} })
		checkErr(t, "a second amendment while one waits", err, matching.ErrConflict)
		_, _, err = db.DecideAmendment(t.Context(), p.ID, 1, matching.AmendmentAccept, pr.as(pr.proposer))
		checkErr(t, "accept by its proposer", err, matching.ErrForbidden)
		_, _, err = db.DecideAmendment(t.Context(), p.ID, 1, matching.AmendmentAccept, pr.as(pr.outsider))
		checkErr(t, "accept by an outsider", err, matching.ErrNotFound)
		_, _, err = db.DecideAmendment(t.Context(), p.ID, 2, matching.AmendmentAccept, pr.as(pr.partner))
		checkErr(t, "accept of no such amendment", err, matching.ErrNotFound)
		if !reflect.DeepEqual(getPartnership(t, db, p.ID).Agreement(), original) {
			t.Error("refused answers changed the agreement")
		}

		// The other side accepts: the agreement changes, a version is added.
		got, am, err = db.DecideAmendment(t.Context(), p.ID, 1, matching.AmendmentAccept, pr.as(pr.partner))
		if err != nil {
			t.Fatalf("accept: %v", err)
		}
		want := original
		want.Purpose, want.ReviewOn = "Youth dance twice a week", review
		for what, q := range map[string]*matching.Partnership{"returned": got, "stored": getPartnership(t, db, p.ID)} {
			if !reflect.DeepEqual(q.Agreement(), want) {
				t.Errorf("%s agreement after accept: got %+v, want %+v", what, q.Agreement(), want)
			}
		}
		if am.Status != matching.AmendmentAccepted || am.DecidedBy != pr.partner.ID || am.DecidedAt.IsZero() {
			t.Errorf("accepted amendment: got %+v", am)
		}
		vs := versions(t, db, p.ID)
		if len(vs) != 2 || vs[1].Version != 2 || vs[1].Amendment != 1 || !reflect.DeepEqual(vs[1].Agreement, want) ||
			!reflect.DeepEqual(vs[0].Agreement, original) {
			t.Errorf("versions after accept: got %+v", vs)
		}
		_, _, err = db.DecideAmendment(t.Context(), p.ID, 1, matching.AmendmentDecline, pr.as(pr.partner))
		checkErr(t, "answering twice", err, matching.ErrConflict)

		// A declined amendment leaves the agreement and adds no version.
		_, am, err = amend(t, db, p.ID, pr.as(pr.partner), func(q *matching.Partnership) { q.Roles = map[string]string{} })
		if err != nil || am == nil || am.N != 2 || am.Changes.Roles == nil || len(am.Changes.Roles) != 0 {
			t.Fatalf("second amendment (clearing roles): got %+v, %v", am, err)
		}
		if _, _, err := db.DecideAmendment(t.Context(), p.ID, 2, matching.AmendmentDecline, pr.as(pr.proposer)); err != nil {
			t.Fatalf("decline: %v", err)
		}
		if got := getPartnership(t, db, p.ID).Agreement(); !reflect.DeepEqual(got, want) {
			t.Errorf("agreement after a decline: got %+v, want %+v", got, want)
		}
		if n := len(versions(t, db, p.ID)); n != 2 {
			t.Errorf("versions after a decline: got %d, want 2", n)
		}
		ams, err := db.ListAmendments(t.Context(), p.ID, 0, 0)
		if err != nil || len(ams) != 2 || ams[0].Status != matching.AmendmentAccepted || ams[1].Status != matching.AmendmentDeclined ||
			ams[1].Changes.Roles == nil {
			t.Errorf("amendments: got %+v, %v", ams, err)
		}

		// An edit that changes nothing proposes nothing.
		_, am, err = amend(t, db, p.ID, pr.as(pr.partner), func(q *matching.Partnership) {})
		if err != nil || am != nil {
			t.Errorf("an empty edit: got %+v, %v; want no amendment", am, err)
		}
		// An invalid amendment is refused, and nothing is saved.
		_, _, err = amend(t, db, p.ID, pr.as(pr.partner), func(q *matching.Partnership) { q.Outcomes = nil })
		checkErr(t, "an invalid amendment", err, matching.ErrInvalid)
		if ams, _ := db.ListAmendments(t.Context(), p.ID, 0, 0); len(ams) != 2 {
			t.Errorf("a refused amendment was saved: %d amendments", len(ams))
		}

		// The operator's edit is a correction: it applies at once, as a version.
		got, am, err = amend(t, db, p.ID, matching.Actor{Operator: true}, func(q *matching.Partnership) { q.Purpose = "Corrected" })
		if err != nil || am != nil || got.Purpose != "Corrected" {
			t.Fatalf("operator's edit: got %v, %+v, %v", got.Purpose, am, err)
		}
		if vs := versions(t, db, p.ID); len(vs) != 3 || vs[2].Amendment != 0 || vs[2].Purpose != "Corrected" {
			t.Errorf("versions after the operator's correction: got %+v", vs)
		}
	})
}

// Two answers to one amendment at once: exactly one wins, and the
// agreement is the accepted one or the old one, never both nor half.
func TestAmendmentAnswersRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pr := newPair(t, db)
		for round := range 4 {
			p := newPartnership(pr.proposer.ID, pr.partner.ID)
			createPartnership(t, db, &p)
			transition(t, db, p.ID, pr.as(pr.partner), matching.ActionAccept)
			if _, _, err := amend(t, db, p.ID, pr.as(pr.proposer), func(q *matching.Partnership) { q.Purpose = "Amended" }); err != nil {
				t.Fatal(err)
			}
			actions := []matching.AmendmentAction{matching.AmendmentAccept, matching.AmendmentDecline}
			actors := []matching.Actor{pr.as(pr.partner), {Operator: true}}
			errs := make([]error, 4)
			var wg sync.WaitGroup
			for i := range errs {
				wg.Go(func() {
					_, _, errs[i] = db.DecideAmendment(t.Context(), p.ID, 1, actions[(i+round)%2], actors[i/2])
				})
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				switch {
				case err == nil:
					won++
				case !errors.Is(err, matching.ErrConflict):
					t.Errorf("a losing answer: got %v, want a conflict", err)
				}
			}
			if won != 1 {
				t.Errorf("%d answers won, want 1", won)
			}
			ams, _ := db.ListAmendments(t.Context(), p.ID, 0, 0)
			stored := getPartnership(t, db, p.ID)
			vs := versions(t, db, p.ID)
			switch ams[0].Status {
			case matching.AmendmentAccepted:
				if stored.Purpose != "Amended" || len(vs) != 2 {
					t.Errorf("accepted, but purpose %q and %d versions", stored.Purpose, len(vs))
				}
			case matching.AmendmentDeclined:
				if stored.Purpose != p.Purpose || len(vs) != 1 {
					t.Errorf("declined, but purpose %q and %d versions", stored.Purpose, len(vs))
				}
			default:
				t.Errorf("amendment left %s", ams[0].Status)
			}
		}
	})
}

// Both sides proposing at once: one amendment waits, the other is refused.
func TestAmendmentProposalsRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pr := newPair(t, db)
		p := newPartnership(pr.proposer.ID, pr.partner.ID)
		createPartnership(t, db, &p)
		transition(t, db, p.ID, pr.as(pr.partner), matching.ActionAccept)
		errs := make([]error, 6)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() {
				actor := []matching.Actor{pr.as(pr.proposer), pr.as(pr.partner)}[i%2]
				_, _, errs[i] = amend(t, db, p.ID, actor, func(q *matching.Partnership) { q.Purpose = uuid.NewString() })
			})
		}
		wg.Wait()
		won := slices.IndexFunc(errs, func(err error) bool { return err == nil })
		for i, err := range errs {
			if i != won && !errors.Is(err, matching.ErrConflict) {
				t.Errorf("proposal %d: got %v, want a conflict", i, err)
			}
		}
		if ams, _ := db.ListAmendments(t.Context(), p.ID, 0, 0); won < 0 || len(ams) != 1 {
			t.Errorf("got %d amendments (first winner %d), want exactly 1", len(ams), won)
		}
	})
}

func evaluation(p *matching.Partnership, orgID string, scores ...int) matching.Evaluation {
	e := matching.Evaluation{ID: uuid.NewString(), PartnershipID: p.ID, OrganisationID: orgID, Comment: "done", CreatedAt: t0}
	copy(e.Scores[:], scores)
	for _, o := range p.Outcomes {
		e.OutcomesMet = append(e.OutcomesMet, matching.OutcomeResult{Outcome: o, Met: matching.OutcomeMetYes})
	}
	return e
}

func TestEvaluationsAndTrust(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pr := newPair(t, db)
		complete := func(withCheck bool) *matching.Partnership {
			p := newPartnership(pr.proposer.ID, pr.partner.ID)
			createPartnership(t, db, &p)
			transition(t, db, p.ID, pr.as(pr.partner), matching.ActionAccept, matching.ActionActivate)
			if withCheck {
				addCheck(t, db, healthCheck(p.ID, pr.partner.ID, t0, 4, 4, 4, 4, 4, 4))
			}
			return transition(t, db, p.ID, pr.as(pr.partner), matching.ActionComplete)
		}
		wantTrust := func(what string, want int) {
			t.Helper()
			if a, b := trusted(t, db, pr.proposer.ID), trusted(t, db, pr.partner.ID); a != want || b != want {
				t.Errorf("%s: trusted partnerships %d and %d, want %d each", what, a, b, want)
			}
		}

		// Not before completion, not by outsiders, not the wrong outcomes.
		active := newPartnership(pr.proposer.ID, pr.partner.ID)
		createPartnership(t, db, &active)
		transition(t, db, active.ID, pr.as(pr.partner), matching.ActionAccept, matching.ActionActivate)
		e := evaluation(&active, pr.partner.ID, 4, 4, 4, 4, 4, 4)
		_, err := db.AddEvaluation(t.Context(), &e)
		checkErr(t, "evaluating an active partnership", err, matching.ErrConflict)

		good := complete(true)
		wantTrust("a completed partnership with a good check", 1)
		e = evaluation(good, pr.outsider.ID, 4, 4, 4, 4, 4, 4)
		_, err = db.AddEvaluation(t.Context(), &e)
		checkErr(t, "an outsider's evaluation", err, matching.ErrNotFound)
		e = evaluation(good, pr.partner.ID, 4, 4, 4, 4, 4, 4)
		e.OutcomesMet[0].Outcome = "not agreed"
		_, err = db.AddEvaluation(t.Context(), &e)
		checkErr(t, "an evaluation of outcomes not agreed", err, matching.ErrInvalid)

		// Each side once; a good evaluation keeps the trust.
		e = evaluation(good, pr.partner.ID, 4, 5, 4, 5, 4, 3)
		got, err := db.AddEvaluation(t.Context(), &e)
		if err != nil || got.Evaluations != 1 || got.LowEvaluations != 0 {
			t.Fatalf("a good evaluation: got %+v, %v", got, err)
		}
		e2 := evaluation(good, pr.partner.ID, 4, 4, 4, 4, 4, 4)
		_, err = db.AddEvaluation(t.Context(), &e2)
		checkErr(t, "a second evaluation by one side", err, matching.ErrConflict)
		wantTrust("after a good evaluation", 1)

		// A low evaluation by the other side takes the trust back.
		low := evaluation(good, pr.proposer.ID, 4, 4, 4, 2, 4, 4)
		low.OutcomesMet[1].Met = matching.OutcomeMetNo
		got, err = db.AddEvaluation(t.Context(), &low)
		if err != nil || got.Evaluations != 2 || got.LowEvaluations != 1 || got.StayedGood() {
			t.Fatalf("a low evaluation: got %+v, %v", got, err)
		}
		wantTrust("after a low evaluation", 0)
		evs, err := db.ListEvaluations(t.Context(), good.ID)
		if err != nil || len(evs) != 2 || !slices.ContainsFunc(evs, func(x matching.Evaluation) bool {
			return x.OrganisationID == pr.proposer.ID && x.Scores == low.Scores && reflect.DeepEqual(x.OutcomesMet, low.OutcomesMet)
		}) {
			t.Errorf("evaluations: got %+v, %v", evs, err)
		}

		// Completed with no check: a good evaluation gives the trust.
		unchecked := complete(false)
		wantTrust("a completed partnership with no score yet", 0)
		e = evaluation(unchecked, pr.proposer.ID, 3, 3, 3, 3, 3, 3)
		if _, err := db.AddEvaluation(t.Context(), &e); err != nil {
			t.Fatal(err)
		}
		wantTrust("after a first, good evaluation", 1)

		// Both sides evaluating at once: both count, once each.
		raced := complete(true)
		wantTrust("a third completed partnership", 2)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				org := []string{pr.proposer.ID, pr.partner.ID}[i%2]
				ev := evaluation(raced, org, 5, 5, 5, 5, 5, []int{1, 3}[i%2])
				_, errs[i] = db.AddEvaluation(t.Context(), &ev)
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil && !errors.Is(err, matching.ErrConflict) {
				t.Errorf("evaluation %d: %v", i, err)
			}
		}
		p := getPartnership(t, db, raced.ID)
		if p.Evaluations != 2 || p.LowEvaluations != 1 {
			t.Errorf("after racing evaluations: %d evaluations, %d low; want 2 and 1", p.Evaluations, p.LowEvaluations)
		}
		wantTrust("after racing evaluations, one low", 1)
	})
}

// An amendment still waiting when the partnership ends lapses: it stays
// unanswered and the agreement as it was.
func TestAmendmentLapses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pr := newPair(t, db)
		for _, last := range []matching.PartnershipAction{matching.ActionEnd, matching.ActionComplete} {
			p := newPartnership(pr.proposer.ID, pr.partner.ID)
			createPartnership(t, db, &p)
			transition(t, db, p.ID, pr.as(pr.partner), matching.ActionAccept, matching.ActionActivate)
			if _, _, err := amend(t, db, p.ID, pr.as(pr.proposer), func(q *matching.Partnership) { q.Purpose = "Amended" }); err != nil {
				t.Fatal(err)
			}
			transition(t, db, p.ID, pr.as(pr.partner), last)
			ams, err := db.ListAmendments(t.Context(), p.ID, 0, 0)
			if err != nil || len(ams) != 1 || ams[0].Status != matching.AmendmentLapsed || ams[0].DecidedAt.IsZero() || ams[0].DecidedBy != "" {
				t.Errorf("after %s: amendments %+v, %v; want one lapsed", last, ams, err)
			}
			_, _, err = db.DecideAmendment(t.Context(), p.ID, 1, matching.AmendmentAccept, pr.as(pr.partner))
			checkErr(t, "accepting a lapsed amendment", err, matching.ErrConflict)
			if got := getPartnership(t, db, p.ID).Purpose; got != p.Purpose {
				t.Errorf("after %s: purpose %q, want %q", last, got, p.Purpose)
			}
		}
	})
}
