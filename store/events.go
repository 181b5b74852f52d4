package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"commonground/matching"
)

// The outbox: every event is written by emit inside the transaction of
// the change that causes it, with one notifications row (the inbox) per
// organisation told and one delivery job (EventJob). A change that rolls
// back leaves none of them behind; one that commits cannot lose them.

type eventRow struct {
	ID                  string `gorm:"primaryKey"`
	Event               string
	SubjectType         string
	SubjectID           string
	Summary             string
	Data                string
	ActorOrganisationID string
	CreatedAt           time.Time
}

func (eventRow) TableName() string { return "events" }

type notificationRow struct {
	ID             string `gorm:"primaryKey"`
	EventID        string
	OrganisationID string
	CreatedAt      time.Time
	ReadAt         *time.Time
}

func (notificationRow) TableName() string { return "notifications" }

// emit records ev in tx, the transaction of the change that causes it: it
// fills in ev's ID and CreatedAt (the store's clock) when empty and its
// ActorOrganisationID from the principal tx's context carries, inserts
// the event, one notification for each distinct organisation of
// recipients other than the acting one (the operator, or no principal,
// acts for none: every recipient is told), and the job that delivers it.
func (db *DB) emit(tx *gorm.DB, ev *matching.Event, recipients []string) error {
	if ev.ID == "" {
		ev.ID = uuid.Must(uuid.NewV7()).String()
	}
	if ev.CreatedAt.IsZero() {
		ev.CreatedAt = db.now()
	}
	ev.CreatedAt = utc(ev.CreatedAt)
	if p, ok := matching.PrincipalFrom(tx.Statement.Context); ok && p.Kind != matching.PrincipalOperator {
		ev.ActorOrganisationID = p.OrganisationID
	}
	data := string(ev.Data)
	if len(ev.Data) == 0 {
		data = "{}"
	}
	row := eventRow{ID: ev.ID, Event: ev.Event, SubjectType: ev.SubjectType, SubjectID: ev.SubjectID,
		Summary: ev.Summary, Data: data, ActorOrganisationID: ev.ActorOrganisationID, CreatedAt: ev.CreatedAt}
	if err := tx.Create(&row).Error; err != nil {
		return fmt.Errorf("event %s: %w", ev.Event, err)
	}
	var rows []notificationRow
	seen := map[string]bool{}
	for _, org := range recipients {
		if org == "" || org == ev.ActorOrganisationID || seen[org] {
			continue
		}
		seen[org] = true
		rows = append(rows, notificationRow{ID: uuid.Must(uuid.NewV7()).String(), EventID: ev.ID,
			OrganisationID: org, CreatedAt: ev.CreatedAt})
	}
	if len(rows) > 0 {
		if err := tx.Create(&rows).Error; err != nil {
			return fmt.Errorf("notifications of event %s: %w", ev.Event, err)
		}
	}
	return db.enqueue(tx, EventJob{EventID: ev.ID})
}

// eventData encodes an event's data object.
func eventData(v map[string]any) []byte {
	b, err := json.Marshal(v)
	if err != nil { // maps of strings and numbers always encode
		panic(err)
	}
	return b
}

// names returns the names of the organisations ids, read in tx; an ID
// with no organisation is left out.
func names(tx *gorm.DB, ids ...string) (map[string]string, error) {
	out := map[string]string{}
	var rows []struct{ ID, Name string }
	if err := tx.Raw("SELECT id, name FROM organisations WHERE id IN "+inList(len(ids)), anys(ids)...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// nameOr is the organisation's name, or "an organisation" when unknown.
func nameOr(ns map[string]string, id string) string {
	if n := ns[id]; n != "" {
		return n
	}
	return "an organisation"
}

// actorWords names who made the change tx's context carries: the acting
// organisation's name, "the operator", or "" when nobody is known.
func actorWords(tx *gorm.DB, ns map[string]string) string {
	p, ok := matching.PrincipalFrom(tx.Statement.Context)
	switch {
	case !ok:
		return ""
	case p.Kind == matching.PrincipalOperator:
		return "the operator"
	case ns[p.OrganisationID] != "":
		return ns[p.OrganisationID]
	}
	return ""
}

// sessions says "1 session" or "n sessions".
func sessions(n int) string {
	if n == 1 {
		return "1 session"
	}
	return fmt.Sprintf("%d sessions", n)
}

// countStatus counts a booking's occurrences in status.
func countStatus(b *matching.Booking, status matching.OccurrenceStatus) int {
	n := 0
	for _, o := range b.Occurrences {
		if o.Status == status {
			n++
		}
	}
	return n
}

// emitBooking records event about booking b for recipients, naming the two
// organisations and the space in its summary, which say makes from the
// requester's name, the owner's, the space's and the actor's words.
func (db *DB) emitBooking(tx *gorm.DB, event string, b *matching.Booking, recipients []string, extra map[string]any,
	say func(requester, owner, space, actor string) string) error {
	var spaceName string
	var ownerID string
	if err := tx.Raw("SELECT name, organisation_id FROM spaces WHERE id = ?", b.SpaceID).Row().Scan(&spaceName, &ownerID); err != nil {
		return fmt.Errorf("space %s: %w", b.SpaceID, err)
	}
	if b.SpaceOwnerID == "" {
		b.SpaceOwnerID = ownerID
	}
	ids := []string{b.OrganisationID, b.SpaceOwnerID}
	if p, ok := matching.PrincipalFrom(tx.Statement.Context); ok && p.OrganisationID != "" {
		ids = append(ids, p.OrganisationID)
	}
	ns, err := names(tx, ids...)
	if err != nil {
		return err
	}
	data := map[string]any{"booking_id": b.ID, "space_id": b.SpaceID, "organisation_id": b.OrganisationID,
		"space_owner_id": b.SpaceOwnerID, "status": string(b.Status)}
	for k, v := range extra {
		data[k] = v
	}
	return db.emit(tx, &matching.Event{Event: event, SubjectType: matching.SubjectBooking, SubjectID: b.ID,
		Summary: say(nameOr(ns, b.OrganisationID), nameOr(ns, b.SpaceOwnerID), spaceName, actorWords(tx, ns)),
		Data:    eventData(data)}, recipients)
}

// emitBooked records what a new booking tells the space's owner:
// booking.requested when it waits for approval, booking.confirmed when it
// was booked at once.
func (db *DB) emitBooked(tx *gorm.DB, b *matching.Booking) error {
	if b.Status == matching.BookingRequested {
		n := countStatus(b, matching.OccurrenceRequested)
		return db.emitBooking(tx, matching.EventBookingRequested, b, []string{b.SpaceOwnerID}, nil,
			func(requester, _, space, _ string) string {
				return fmt.Sprintf("%s asks to book %s for %s.", requester, space, sessions(n))
			})
	}
	n := countStatus(b, matching.OccurrenceConfirmed)
	return db.emitBooking(tx, matching.EventBookingConfirmed, b, []string{b.SpaceOwnerID}, nil,
		func(requester, _, space, _ string) string {
			return fmt.Sprintf("%s booked %s for %s.", requester, space, sessions(n))
		})
}

// emitBookingChange records what action did to booking b: the requester
// learns of an approval or a decline, the other party of a cancellation.
func (db *DB) emitBookingChange(tx *gorm.DB, action matching.BookingAction, b *matching.Booking) error {
	parties := []string{b.OrganisationID, b.SpaceOwnerID}
	switch action {
	case matching.ApproveBooking:
		n := countStatus(b, matching.OccurrenceConfirmed)
		return db.emitBooking(tx, matching.EventBookingConfirmed, b, []string{b.OrganisationID}, nil,
			func(requester, owner, space, actor string) string {
				return fmt.Sprintf("%s confirmed %s's booking of %s for %s.", deciderOf(owner, actor), requester, space, sessions(n))
			})
	case matching.DeclineBooking:
		return db.emitBooking(tx, matching.EventBookingDeclined, b, []string{b.OrganisationID}, nil,
			func(requester, owner, space, actor string) string {
				return fmt.Sprintf("%s declined %s's booking of %s.", deciderOf(owner, actor), requester, space)
			})
	case matching.CancelBooking:
		return db.emitBooking(tx, matching.EventBookingCancelled, b, parties, nil,
			func(requester, _, space, actor string) string {
				return fmt.Sprintf("%s's booking of %s was cancelled%s.", requester, space, by(actor))
			})
	}
	return nil
}

// emitOccurrenceCancelled records the cancellation of session index of
// booking b, for the other party.
func (db *DB) emitOccurrenceCancelled(tx *gorm.DB, b *matching.Booking, index int) error {
	o := b.Occurrences[index]
	var tz string
	err := tx.Raw("SELECT v.timezone FROM spaces s JOIN venues v ON v.id = s.venue_id WHERE s.id = ?", b.SpaceID).Row().Scan(&tz)
	if err != nil {
		return fmt.Errorf("venue of space %s: %w", b.SpaceID, err)
	}
	loc, err := matching.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	return db.emitBooking(tx, matching.EventBookingCancelled, b, []string{b.OrganisationID, b.SpaceOwnerID},
		map[string]any{"occurrence": index, "start": o.Start.UTC().Format(time.RFC3339), "end": o.End.UTC().Format(time.RFC3339)},
		func(requester, _, space, actor string) string {
			return fmt.Sprintf("One session (%s) of %s's booking of %s was cancelled%s.",
				o.Start.In(loc).Format("Mon 2 Jan 2006 15:04 MST"), requester, space, by(actor))
		})
}

// deciderOf is who approved or declined a booking: the owner, unless
// the operator did.
func deciderOf(owner, actor string) string {
	if actor == "the operator" {
		return "The operator"
	}
	return owner
}

func by(actor string) string {
	if actor == "" {
		return ""
	}
	return " by " + actor
}

// partnershipEvents is the event each partnership action causes.
var partnershipEvents = map[matching.PartnershipAction]string{
	matching.ActionAccept:   matching.EventPartnershipAccepted,
	matching.ActionDecline:  matching.EventPartnershipDeclined,
	matching.ActionActivate: matching.EventPartnershipActivated,
	matching.ActionComplete: matching.EventPartnershipCompleted,
	matching.ActionEnd:      matching.EventPartnershipEnded,
}

// emitPartnership records event about p for recipients; say makes the
// summary from the proposer's name, the partner's and the actor's words.
func (db *DB) emitPartnership(tx *gorm.DB, event string, p *matching.Partnership, recipients []string, extra map[string]any,
	say func(proposer, partner, actor string) string) error {
	ids := []string{p.ProposerID, p.PartnerID}
	if pr, ok := matching.PrincipalFrom(tx.Statement.Context); ok && pr.OrganisationID != "" {
		ids = append(ids, pr.OrganisationID)
	}
	ns, err := names(tx, ids...)
	if err != nil {
		return err
	}
	data := map[string]any{"partnership_id": p.ID, "status": string(p.Status), "proposer_id": p.ProposerID,
		"partner_id": p.PartnerID}
	for k, v := range extra {
		data[k] = v
	}
	return db.emit(tx, &matching.Event{Event: event, SubjectType: matching.SubjectPartnership, SubjectID: p.ID,
		Summary: say(nameOr(ns, p.ProposerID), nameOr(ns, p.PartnerID), actorWords(tx, ns)),
		Data:    eventData(data)}, recipients)
}

// emitTransition records the partnership action that moved p, for the
// other party (both, when the operator acted).
func (db *DB) emitTransition(tx *gorm.DB, action matching.PartnershipAction, p *matching.Partnership) error {
	event, ok := partnershipEvents[action]
	if !ok {
		return nil
	}
	verb := strings.TrimPrefix(event, "partnership.")
	return db.emitPartnership(tx, event, p, []string{p.ProposerID, p.PartnerID}, nil,
		func(proposer, partner, actor string) string {
			return fmt.Sprintf("The partnership between %s and %s was %s%s.", proposer, partner, verb, by(actor))
		})
}

// reviewWindow is how far ahead a partnership's review is announced.
const reviewWindow = 14

// EmitDueReviews emits partnership.review_due, to both organisations, for
// every accepted or active partnership whose review date lies from today
// to reviewWindow (14) days ahead, today being now's date in London. It
// emits once for a partnership and review date: a partnership already told
// of that date is skipped (a moved review date is told again). Run it once
// a day from any replica; on PostgreSQL concurrent runs take turns on the
// partnerships' rows, so none emits twice. It returns how many events it
// emitted; errors are the database's.
func (db *DB) EmitDueReviews(ctx context.Context, now time.Time) (int, error) {
	london, err := matching.LoadLocation(matching.DefaultTimezone)
	if err != nil {
		return 0, err
	}
	y, m, d := now.In(london).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	from, to := today.Format(matching.DateLayout), today.AddDate(0, 0, reviewWindow).Format(matching.DateLayout)
	var n int
	err = db.write(ctx, func(tx *gorm.DB) ([]change, error) {
		n = 0
		q := tx.Where("status IN ? AND review_on >= ? AND review_on <= ?",
			[]string{string(matching.PartnershipAccepted), string(matching.PartnershipActive)}, from, to).Order("id")
		if db.dialect == Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var rows []partnershipRow
		if err := q.Find(&rows).Error; err != nil {
			return nil, err
		}
		for i := range rows {
			p, err := toPartnership(&rows[i])
			if err != nil {
				return nil, err
			}
			told, err := reviewTold(tx, p.ID, rows[i].ReviewOn)
			if err != nil || told {
				if err != nil {
					return nil, err
				}
				continue
			}
			date := p.ReviewOn.Format("Monday 2 January 2006")
			err = db.emitPartnership(tx, matching.EventPartnershipReviewDue, &p, []string{p.ProposerID, p.PartnerID},
				map[string]any{"review_on": rows[i].ReviewOn},
				func(proposer, partner, _ string) string {
					return fmt.Sprintf("The partnership between %s and %s is due for review on %s.", proposer, partner, date)
				})
			if err != nil {
				return nil, err
			}
			n++
		}
		return nil, nil
	})
	if err != nil {
		return 0, translate(err, "due reviews")
	}
	return n, nil
}

// reviewTold reports whether partnership id has had a review_due event
// for reviewOn.
func reviewTold(tx *gorm.DB, id, reviewOn string) (bool, error) {
	var datas []string
	err := tx.Raw("SELECT data FROM events WHERE event = ? AND subject_type = ? AND subject_id = ?",
		matching.EventPartnershipReviewDue, matching.SubjectPartnership, id).Scan(&datas).Error
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(datas, func(s string) bool {
		var d struct {
			ReviewOn string `json:"review_on"`
		}
		return json.Unmarshal([]byte(s), &d) == nil && d.ReviewOn == reviewOn
	}), nil
}

// emitHealthFlagged records a health check that scored some criterion at
// matching.HealthFlagScore or below, for the other organisation.
func (db *DB) emitHealthFlagged(tx *gorm.DB, p *matching.Partnership, h *matching.HealthCheck) error {
	var flagged []string
	for i, x := range h.Scores {
		if x <= matching.HealthFlagScore {
			flagged = append(flagged, strings.ReplaceAll(matching.HealthCriteria[i], "_", " "))
		}
	}
	other := p.PartnerID
	if h.OrganisationID == p.PartnerID {
		other = p.ProposerID
	}
	ns, err := names(tx, h.OrganisationID)
	if err != nil {
		return err
	}
	scorer := nameOr(ns, h.OrganisationID)
	return db.emitPartnership(tx, matching.EventPartnershipHealthFlagged, p, []string{other},
		map[string]any{"health_check_id": h.ID, "organisation_id": h.OrganisationID, "flagged": flagged},
		func(_, _, _ string) string {
			return fmt.Sprintf("%s's health check of your partnership scored low on %s.", scorer, strings.Join(flagged, ", "))
		})
}

// clipText cuts s to at most n characters, marking a cut with "…".
func clipText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n])) + "…"
}
