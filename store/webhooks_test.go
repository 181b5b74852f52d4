package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"commonground/matching"
	"commonground/store"
	"commonground/store/storetest"
)

func createWebhook(t *testing.T, db *store.DB, orgID string, events ...string) matching.Webhook {
	t.Helper()
	w := matching.Webhook{ID: uuid.NewString(), OrganisationID: orgID, URL: "https://hooks.example.org/" + orgID,
		Events: events, Secret: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2Vj"}
	if err := db.CreateWebhook(t.Context(), &w); err != nil {
		t.Fatalf("CreateWebhook: %v", err)
	}
	return w
}

func TestWebhooks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		a, b := newOrg("Arts A", 52.2, 0.12), newOrg("Arts B", 52.3, 0.13)
		createOrg(t, db, &a, "")
		createOrg(t, db, &b, "")
		all := createWebhook(t, db, a.ID)
		bookings := createWebhook(t, db, a.ID, matching.EventBookingRequested, matching.EventBookingConfirmed)
		other := createWebhook(t, db, b.ID, matching.EventBookingRequested)

		got, err := db.GetWebhook(ctx, a.ID, bookings.ID)
		if err != nil {
			t.Fatalf("GetWebhook: %v", err)
		}
		checkFields(t, "webhook", []field{
			{"URL", got.URL, bookings.URL}, {"Events", got.Events, bookings.Events}, {"Secret", got.Secret, bookings.Secret},
			{"OrganisationID", got.OrganisationID, a.ID}, {"CreatedBy", got.CreatedBy, ""},
		})
		if got.CreatedAt.IsZero() {
			t.Errorf("CreatedAt: got zero, want the time it was made")
		}
		if all, _ := db.GetWebhook(ctx, a.ID, all.ID); all != nil && all.Events == nil {
			t.Errorf("Events of a webhook for every event: got nil, want an empty list")
		}
		_, err = db.GetWebhook(ctx, b.ID, bookings.ID)
		checkErr(t, "GetWebhook of another organisation", err, matching.ErrNotFound)
		if w, err := db.GetWebhook(ctx, "", other.ID); err != nil || w.OrganisationID != b.ID {
			t.Errorf("GetWebhook of any organisation: got %+v, %v, want B's", w, err)
		}

		list, err := db.ListWebhooks(ctx, a.ID)
		if err != nil {
			t.Fatalf("ListWebhooks: %v", err)
		}
		if g, w := ids(list, func(w *matching.Webhook) string { return w.ID }), []string{all.ID, bookings.ID}; !slices.Equal(sorted(g), sorted(w)) {
			t.Errorf("ListWebhooks: got %v, want %v", g, w)
		}

		for _, tc := range []struct {
			event string
			orgs  []string
			want  []string
		}{
			{matching.EventBookingRequested, []string{a.ID, b.ID}, []string{all.ID, bookings.ID, other.ID}},
			{matching.EventBookingRequested, []string{a.ID}, []string{all.ID, bookings.ID}},
			{matching.EventMessagePosted, []string{a.ID, b.ID}, []string{all.ID}},
			{matching.EventMessagePosted, []string{b.ID}, nil},
			{matching.EventMessagePosted, nil, nil},
		} {
			t.Run("WebhooksFor "+tc.event, func(t *testing.T) {
				hooks, err := db.WebhooksFor(ctx, tc.orgs, tc.event)
				if err != nil {
					t.Fatalf("WebhooksFor: %v", err)
				}
				if g := ids(hooks, func(w *matching.Webhook) string { return w.ID }); !slices.Equal(sorted(g), sorted(tc.want)) {
					t.Errorf("got %v, want %v", g, tc.want)
				}
			})
		}

		checkErr(t, "DeleteWebhook of another organisation", db.DeleteWebhook(ctx, b.ID, all.ID), matching.ErrNotFound)
		if err := db.DeleteWebhook(ctx, a.ID, all.ID); err != nil {
			t.Fatalf("DeleteWebhook: %v", err)
		}
		_, err = db.GetWebhook(ctx, a.ID, all.ID)
		checkErr(t, "GetWebhook after delete", err, matching.ErrNotFound)
		checkErr(t, "DeleteWebhook twice", db.DeleteWebhook(ctx, a.ID, all.ID), matching.ErrNotFound)

		w := matching.Webhook{ID: uuid.NewString(), OrganisationID: uuid.NewString(), URL: "https://x.example", Secret: "s"}
		checkErr(t, "CreateWebhook for no organisation", db.CreateWebhook(ctx, &w), matching.ErrConflict)
	})
}

func TestWebhookDeliveries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		o := newOrg("Arts", 52.2, 0.12)
		createOrg(t, db, &o, "")
		hook := createWebhook(t, db, o.ID)
		var want []string // newest first
		for i := 1; i <= 5; i++ {
			d := matching.WebhookDelivery{ID: uuid.NewString(), WebhookID: hook.ID, EventID: "ev", MessageID: "msg_1",
				Event: matching.EventBookingRequested, Attempt: i, Status: 503, Error: "receiver answered with 503",
				Duration: 42 * time.Millisecond, AttemptedAt: t0.Add(time.Duration(i) * time.Second)}
			if i == 5 {
				d.Status, d.Error = 204, ""
			}
			if err := db.RecordDelivery(ctx, &d); err != nil {
				t.Fatalf("RecordDelivery: %v", err)
			}
			want = append([]string{d.ID}, want...)
		}
		var got []string
		page := matching.Page{Limit: 2}
		for range 10 {
			items, err := db.ListDeliveries(ctx, hook.ID, page)
			if err != nil {
				t.Fatalf("ListDeliveries: %v", err)
			}
			if len(items) == 0 {
				break
			}
			for _, d := range items {
				got = append(got, d.ID)
			}
			page.AfterID = items[len(items)-1].ID
		}
		if !slices.Equal(got, want) {
			t.Errorf("deliveries newest first, paged by 2: got %v, want %v", got, want)
		}
		first, err := db.ListDeliveries(ctx, hook.ID, matching.Page{Limit: 1})
		if err != nil || len(first) != 1 {
			t.Fatalf("ListDeliveries: %v, %v", first, err)
		}
		checkFields(t, "newest delivery", []field{
			{"Attempt", first[0].Attempt, 5}, {"Status", first[0].Status, 204}, {"Error", first[0].Error, ""},
			{"Duration", first[0].Duration, 42 * time.Millisecond}, {"MessageID", first[0].MessageID, "msg_1"},
			{"AttemptedAt", first[0].AttemptedAt, t0.Add(5 * time.Second)},
		})

		if n, err := db.PruneDeliveries(ctx, t0.Add(3*time.Second)); err != nil || n != 2 {
			t.Errorf("PruneDeliveries before the third attempt: got %d, %v, want 2 deleted", n, err)
		}
		if left, err := db.ListDeliveries(ctx, hook.ID, matching.Page{}); err != nil || len(left) != 3 || left[2].Attempt != 3 {
			t.Errorf("deliveries after pruning: got %d, %v, want attempts 5, 4 and 3", len(left), err)
		}

		d := matching.WebhookDelivery{ID: uuid.NewString(), WebhookID: uuid.NewString(), EventID: "ev", MessageID: "m", Event: "e", Attempt: 1}
		checkErr(t, "RecordDelivery for no webhook", db.RecordDelivery(ctx, &d), matching.ErrConflict)
		if err := db.DeleteWebhook(ctx, o.ID, hook.ID); err != nil {
			t.Fatal(err)
		}
		if items, err := db.ListDeliveries(ctx, hook.ID, matching.Page{}); err != nil || len(items) != 0 {
			t.Errorf("deliveries of a deleted webhook: got %d, %v, want none", len(items), err)
		}
	})
}

func TestRecordEventAndRecipients(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		a, b, c := newOrg("Arts A", 52.2, 0.12), newOrg("Arts B", 52.3, 0.13), newOrg("Arts C", 52.4, 0.14)
		for _, o := range []*matching.Organisation{&a, &b, &c} {
			createOrg(t, db, o, "")
		}
		storetest.InsertPerson(t, db, a.ID, "ann@example.org", true)
		storetest.InsertPerson(t, db, a.ID, "off@example.org", false)
		shared := storetest.InsertPerson(t, db, b.ID, "bob@example.org", true)
		if err := db.Gorm().Exec("INSERT INTO memberships (organisation_id, person_id, role, created_at) VALUES (?, ?, 'admin', ?)", a.ID, shared, t0).Error; err != nil {
			t.Fatal(err)
		}
		storetest.InsertPerson(t, db, c.ID, "cat@example.org", true)

		got, err := db.EmailRecipients(ctx, []string{a.ID, b.ID})
		if err != nil {
			t.Fatalf("EmailRecipients: %v", err)
		}
		if want := []string{"ann@example.org", "bob@example.org"}; !slices.Equal(got, want) {
			t.Errorf("EmailRecipients: got %v, want %v", got, want)
		}

		ev := matching.Event{Event: matching.EventBookingRequested, SubjectType: "booking", SubjectID: "b1",
			Summary: "Arts A asked to book Main Hall", Data: []byte(`{"booking_id":"b1"}`), ActorOrganisationID: a.ID, CreatedAt: t0}
		if err := db.RecordEvent(ctx, &ev, []string{b.ID, a.ID}); err != nil {
			t.Fatalf("RecordEvent: %v", err)
		}
		e, orgs, err := db.GetEvent(ctx, ev.ID)
		if err != nil {
			t.Fatalf("GetEvent: %v", err)
		}
		checkFields(t, "event", []field{
			{"Event", e.Event, ev.Event}, {"SubjectType", e.SubjectType, "booking"}, {"SubjectID", e.SubjectID, "b1"},
			{"Summary", e.Summary, ev.Summary}, {"Data", string(e.Data), `{"booking_id":"b1"}`},
			{"ActorOrganisationID", e.ActorOrganisationID, a.ID}, {"CreatedAt", e.CreatedAt, t0},
			// The acting organisation is not told of its own doing.
			{"recipients", orgs, []string{b.ID}},
		})
		var jobs int64
		if err := db.Gorm().Raw("SELECT count(*) FROM river_job WHERE kind = 'event.deliver'").Scan(&jobs).Error; err != nil || jobs != 1 {
			t.Errorf("delivery jobs after one event: got %d (%v), want 1", jobs, err)
		}
		_, _, err = db.GetEvent(ctx, uuid.NewString())
		checkErr(t, "GetEvent of no event", err, matching.ErrNotFound)

		bad := matching.Event{Event: matching.EventBookingRequested, SubjectType: "booking", SubjectID: "b2", Summary: "s"}
		checkErr(t, "RecordEvent for no organisation", db.RecordEvent(ctx, &bad, []string{uuid.NewString()}), matching.ErrConflict)
		if err := db.Gorm().Raw("SELECT count(*) FROM river_job WHERE kind = 'event.deliver'").Scan(&jobs).Error; err != nil || jobs != 1 {
			t.Errorf("delivery jobs after a rolled-back event: got %d (%v), want 1", jobs, err)
		}
	})
}
