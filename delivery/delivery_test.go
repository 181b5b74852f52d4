package delivery_test

import (
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"commonground/matching"
	"commonground/notify"
	"commonground/store"
	"commonground/store/storetest"
)

const limit = 20 * time.Second

// TestDelivers records an event for two organisations and finds it mailed
// to each of their people who want email, and posted, signed, once to
// each of their webhooks that want it, and to nobody else.
func TestDelivers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, b, c := createOrg(t, db, "Arts A"), createOrg(t, db, "Arts B"), createOrg(t, db, "Arts C")
		storetest.InsertPerson(t, db, a, "ann@example.org", true)
		storetest.InsertPerson(t, db, a, "quiet@example.org", false)
		storetest.InsertPerson(t, db, b, "bob@example.org", true)
		storetest.InsertPerson(t, db, c, "cat@example.org", true)
		type hookCase struct {
			name string
			org  string
			evs  []string
			want bool
		}
		cases := []hookCase{
			{"A, every event", a, nil, true},
			{"B, bookings requested", b, []string{matching.EventBookingRequested}, true},
			{"B, messages only", b, []string{matching.EventMessagePosted}, false},
			{"C, not concerned", c, nil, false},
		}
		receivers := make([]*receiver, len(cases))
		hooks := make([]matching.Webhook, len(cases))
		for i, hc := range cases {
			receivers[i] = newReceiver(t, 0)
			hooks[i] = createHook(t, db, hc.org, receivers[i].srv.URL+"/hook", hc.evs...)
			receivers[i].setSecret(hooks[i].Secret)
		}
		mb := listenSMTP(t, "127.0.0.1:0")
		start(t, db, testConfig(mailer(t, mb.addr)))

		ev := record(t, db, matching.EventBookingRequested, "Arts A asked to book Main Hall", a, b)
		waitFor(t, limit, "every delivery", func() bool {
			return len(mb.received()) >= 2 && len(receivers[0].received()) >= 1 && len(receivers[1].received()) >= 1 && openJobs(t, db) == 0
		})

		if got, want := mb.countTo(), map[string]int{"ann@example.org": 1, "bob@example.org": 1}; !maps.Equal(got, want) {
			t.Errorf("mails per address: got %v, want %v", got, want)
		}
		for _, m := range mb.received() {
			if want := "Common Ground: " + ev.Summary; m.Subject != want {
				t.Errorf("mail to %s: subject %q, want %q", m.To, m.Subject, want)
			}
			if !strings.Contains(m.Body, "https://commonground.test/dashboard") {
				t.Errorf("mail to %s has no link under the public URL:\n%s", m.To, m.Body)
			}
		}
		for i, hc := range cases {
			t.Run(hc.name, func(t *testing.T) {
				hits := receivers[i].received()
				if !hc.want {
					if len(hits) != 0 {
						t.Errorf("got %d deliveries, want none", len(hits))
					}
					return
				}
				if len(hits) != 1 {
					t.Fatalf("got %d deliveries, want 1", len(hits))
				}
				h := hits[0]
				wantID := notify.DeliveryID(ev.ID, hooks[i].ID)
				if !h.SignatureOK {
					t.Errorf("signature does not verify")
				}
				if h.ID != wantID || h.Body.ID != wantID {
					t.Errorf("webhook-id %q, body id %q, want %q", h.ID, h.Body.ID, wantID)
				}
				if h.Body.Event != ev.Event || string(h.Body.Data) != string(ev.Data) {
					t.Errorf("body: got event %q data %s, want %q %s", h.Body.Event, h.Body.Data, ev.Event, ev.Data)
				}
				log, err := db.ListDeliveries(t.Context(), hooks[i].ID, matching.Page{})
				if err != nil || len(log) != 1 || log[0].Status != 204 || log[0].Attempt != 1 || log[0].MessageID != wantID {
					t.Errorf("deliveries log: got %+v (%v), want one attempt answered 204", log, err)
				}
			})
		}
	})
}

// TestWebhookRetries has a receiver answer 503 three times: the event is
// delivered on the fourth attempt, every attempt with the same
// webhook-id, and the deliveries log shows all four.
func TestWebhookRetries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		org := createOrg(t, db, "Arts")
		const failures = 3
		rc := newReceiver(t, failures)
		hook := createHook(t, db, org, rc.srv.URL)
		rc.setSecret(hook.Secret)
		start(t, db, testConfig(nil))
		ev := record(t, db, matching.EventPartnershipProposed, "A partnership was proposed", org)

		waitFor(t, limit, "a successful delivery", func() bool { return len(rc.delivered()) == 1 && openJobs(t, db) == 0 })
		hits := rc.received()
		wantID := notify.DeliveryID(ev.ID, hook.ID)
		if len(hits) != failures+1 {
			t.Errorf("requests: got %d, want %d", len(hits), failures+1)
		}
		for i, h := range hits {
			if h.ID != wantID || !h.SignatureOK {
				t.Errorf("request %d: webhook-id %q (want %q), signature verifies: %v", i+1, h.ID, wantID, h.SignatureOK)
			}
		}
		if got := rc.delivered(); got[wantID] != 1 {
			t.Errorf("successful deliveries per webhook-id: got %v, want one of %s", got, wantID)
		}
		log, err := db.ListDeliveries(t.Context(), hook.ID, matching.Page{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range log {
			got = append(got, strings.Join([]string{d.MessageID, itoa(d.Attempt), itoa(d.Status), yesNo(d.Error != "")}, " "))
		}
		want := []string{wantID + " 4 204 no", wantID + " 3 503 yes", wantID + " 2 503 yes", wantID + " 1 503 yes"}
		if !slices.Equal(got, want) {
			t.Errorf("deliveries log, newest first (message, attempt, status, error):\ngot  %q\nwant %q", got, want)
		}
	})
}

// TestDeletedWebhookEndsRetries deletes a webhook whose receiver keeps
// failing: its job is cancelled rather than retried for a day.
func TestDeletedWebhookEndsRetries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		org := createOrg(t, db, "Arts")
		rc := newReceiver(t, 1<<30)
		hook := createHook(t, db, org, rc.srv.URL)
		cfg := testConfig(nil)
		cfg.WebhookRetryBase = 300 * time.Millisecond
		start(t, db, cfg)
		record(t, db, matching.EventMessagePosted, "A message", org)
		waitFor(t, limit, "a failed attempt", func() bool { return len(rc.received()) >= 1 })
		if err := db.DeleteWebhook(t.Context(), org, hook.ID); err != nil {
			t.Fatal(err)
		}
		waitFor(t, limit, "the webhook job to be cancelled", func() bool {
			return slices.Equal(jobStates(t, db, "event.webhook"), []string{"cancelled"})
		})
	})
}

// TestDeliversAfterCrash commits events while no service runs, as if the
// process had died just after the commits, then starts two services at
// once on the database: every event is delivered, and none twice.
func TestDeliversAfterCrash(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			db, second := openTwice(t, d)
			a, b := createOrg(t, db, "Arts A"), createOrg(t, db, "Arts B")
			storetest.InsertPerson(t, db, a, "ann@example.org", true)
			storetest.InsertPerson(t, db, b, "bob@example.org", true)
			ra, rb := newReceiver(t, 0), newReceiver(t, 0)
			ha, hb := createHook(t, db, a, ra.srv.URL), createHook(t, db, b, rb.srv.URL)
			ra.setSecret(ha.Secret)
			rb.setSecret(hb.Secret)
			const events = 5
			var ids []string
			for i := range events {
				ev := record(t, db, matching.EventBookingConfirmed, "Booking confirmed "+itoa(i), a, b)
				ids = append(ids, ev.ID)
			}
			if n := openJobs(t, db); n != events {
				t.Fatalf("jobs waiting before any service runs: got %d, want %d", n, events)
			}

			mb := listenSMTP(t, "127.0.0.1:0")
			m := mailer(t, mb.addr)
			start(t, db, testConfig(m))
			start(t, second, testConfig(m))
			waitFor(t, limit, "every delivery", func() bool {
				return len(mb.received()) >= 2*events && len(ra.delivered()) == events && len(rb.delivered()) == events && openJobs(t, db) == 0
			})

			if got, want := mb.countTo(), map[string]int{"ann@example.org": events, "bob@example.org": events}; !maps.Equal(got, want) {
				t.Errorf("mails per address: got %v, want %v", got, want)
			}
			for _, tc := range []struct {
				rc   *receiver
				hook matching.Webhook
			}{{ra, ha}, {rb, hb}} {
				want := map[string]int{}
				for _, id := range ids {
					want[notify.DeliveryID(id, tc.hook.ID)] = 1
				}
				if got := tc.rc.delivered(); !maps.Equal(got, want) {
					t.Errorf("deliveries per webhook-id: got %v, want %v", got, want)
				}
				if n := len(tc.rc.received()); n != events {
					t.Errorf("requests: got %d, want %d", n, events)
				}
			}
		})
	}
}

// TestMailRetriedWhileServerDown records an event while the SMTP server
// is down: the mail is tried, fails, is tried again, and arrives once the
// server is up.
func TestMailRetriedWhileServerDown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		org := createOrg(t, db, "Arts")
		storetest.InsertPerson(t, db, org, "ann@example.org", true)
		probe, err := net.Listen("tcp", "127.0.0.1:0") // a free port, freed again
		if err != nil {
			t.Fatal(err)
		}
		addr := probe.Addr().String()
		probe.Close()

		start(t, db, testConfig(mailer(t, addr)))
		record(t, db, matching.EventBookingDeclined, "Your booking was declined", org)
		waitFor(t, limit, "two failed attempts to mail", func() bool {
			var attempts int
			err := db.Gorm().Raw("SELECT coalesce(max(attempt), 0) FROM river_job WHERE kind = 'event.email'").Scan(&attempts).Error
			if err != nil {
				t.Fatalf("email job attempts: %v", err)
			}
			return attempts >= 3
		})
		mb := listenSMTP(t, addr)
		waitFor(t, limit, "the mail", func() bool { return len(mb.received()) == 1 && openJobs(t, db) == 0 })
		if got := mb.countTo(); got["ann@example.org"] != 1 {
			t.Errorf("mails: got %v, want one to ann@example.org", got)
		}
		if got := jobStates(t, db, "event.email"); !slices.Equal(got, []string{"completed"}) {
			t.Errorf("email jobs: got %v, want one completed", got)
		}
	})
}

// openTwice opens two stores on one database, as two processes do; on
// SQLite, whose test database lives in memory, the second is the first.
func openTwice(t *testing.T, d store.Dialect) (*store.DB, *store.DB) {
	t.Helper()
	if d == store.SQLite {
		db := storetest.Open(t, d)
		return db, db
	}
	u := storetest.URL(t, d)
	var dbs [2]*store.DB
	for i := range dbs {
		db, err := store.Open(t.Context(), u, store.Options{})
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	return dbs[0], dbs[1]
}

func itoa(n int) string { return strconv.Itoa(n) }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// TestMailRefusedForGood has the SMTP server refuse one address with 550:
// that mail's job is cancelled after one attempt, and the other mail
// arrives.
func TestMailRefusedForGood(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		org := createOrg(t, db, "Arts")
		storetest.InsertPerson(t, db, org, "ann@example.org", true)
		storetest.InsertPerson(t, db, org, refused, true)
		mb := listenSMTP(t, "127.0.0.1:0")
		start(t, db, testConfig(mailer(t, mb.addr)))
		record(t, db, matching.EventBookingCancelled, "A booking was cancelled", org)
		waitFor(t, limit, "both mail jobs to end", func() bool {
			return len(jobStates(t, db, "event.email")) == 2 && openJobs(t, db) == 0
		})
		if got := mb.countTo(); !maps.Equal(got, map[string]int{"ann@example.org": 1}) {
			t.Errorf("mails: got %v, want one to ann@example.org", got)
		}
		var attempts []int
		err := db.Gorm().Raw("SELECT attempt FROM river_job WHERE kind = 'event.email' AND state = 'cancelled'").Scan(&attempts).Error
		if err != nil || !slices.Equal(attempts, []int{1}) {
			t.Errorf("cancelled mail jobs' attempts: got %v (%v), want one job cancelled after 1 attempt", attempts, err)
		}
	})
}

// TestFanOutTwice works two delivery jobs for one event, as when a
// fan-out is retried after it queued its jobs: each mail and webhook is
// still sent once.
func TestFanOutTwice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		org := createOrg(t, db, "Arts")
		storetest.InsertPerson(t, db, org, "ann@example.org", true)
		rc := newReceiver(t, 0)
		hook := createHook(t, db, org, rc.srv.URL)
		rc.setSecret(hook.Secret)
		ev := record(t, db, matching.EventConsortiumInvited, "You were invited to a consortium", org)
		inserter, err := river.NewClient(db.JobDriver(), &river.Config{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := inserter.Insert(t.Context(), store.EventJob{EventID: ev.ID}, nil); err != nil {
			t.Fatal(err)
		}
		mb := listenSMTP(t, "127.0.0.1:0")
		start(t, db, testConfig(mailer(t, mb.addr)))
		waitFor(t, limit, "every job to end", func() bool {
			return len(jobStates(t, db, "event.deliver")) == 2 && openJobs(t, db) == 0 && len(rc.delivered()) == 1
		})
		if got := jobStates(t, db, "event.deliver"); !slices.Equal(got, []string{"completed", "completed"}) {
			t.Errorf("fan-out jobs: got %v, want both completed", got)
		}
		if got := mb.countTo(); !maps.Equal(got, map[string]int{"ann@example.org": 1}) {
			t.Errorf("mails: got %v, want one to ann@example.org", got)
		}
		if got := rc.received(); len(got) != 1 {
			t.Errorf("webhook posts: got %d, want 1", len(got))
		}
	})
}

// TestPrunesDeliveries runs the maintenance often: delivery attempts
// older than DeliveriesKept leave the log, newer ones stay.
func TestPrunesDeliveries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		org := createOrg(t, db, "Arts")
		hook := createHook(t, db, org, "https://1.1.1.1/hook")
		now := time.Now()
		for i, age := range []time.Duration{40 * 24 * time.Hour, 31 * 24 * time.Hour, time.Hour} {
			d := matching.WebhookDelivery{ID: uuid.NewString(), WebhookID: hook.ID, EventID: "ev", MessageID: "msg",
				Event: matching.EventMessagePosted, Attempt: i + 1, Status: 503, AttemptedAt: now.Add(-age)}
			if err := db.RecordDelivery(t.Context(), &d); err != nil {
				t.Fatal(err)
			}
		}
		cfg := testConfig(nil)
		cfg.MaintenanceInterval = 100 * time.Millisecond
		start(t, db, cfg)
		waitFor(t, limit, "the old attempts to be pruned", func() bool {
			left, err := db.ListDeliveries(t.Context(), hook.ID, matching.Page{})
			if err != nil {
				t.Fatal(err)
			}
			return len(left) == 1 && left[0].Attempt == 3
		})
	})
}
