package main

import (
	"context"
	"time"

	"commonground/store"
)

// overlaps counts the pairs of confirmed occurrences of one space that
// overlap, in SQL, and the confirmed occurrences.
func overlaps(ctx context.Context, db *store.DB) (pairs, confirmed int64, err error) {
	g := db.Gorm().WithContext(ctx)
	err = g.Raw(`SELECT COUNT(*) FROM booking_occurrences a JOIN booking_occurrences b
		ON a.space_id = b.space_id AND (a.booking_id < b.booking_id OR (a.booking_id = b.booking_id AND a.seq < b.seq))
		AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
		WHERE a.status = 'confirmed' AND b.status = 'confirmed'`).Row().Scan(&pairs)
	if err != nil {
		return 0, 0, err
	}
	err = g.Raw(`SELECT COUNT(*) FROM booking_occurrences WHERE status = 'confirmed'`).Row().Scan(&confirmed)
	return pairs, confirmed, err
}

// fairChecks is what fairness found.
type fairChecks struct {
	close, over int
	most        float64
}

// fairness checks the confirmed occurrences against the spaces' rules:
// how many pairs of one space's are closer than o.turnaround (adjacent by
// start suffices: a closer pair implies a closer adjacent one), and how
// many organisations hold more than o.cap hours at one space. Every
// session of the run lies in the future, so all its confirmed hours count
// towards the cap.
func fairness(ctx context.Context, db *store.DB, o options) (fairChecks, error) {
	var out fairChecks
	rows, err := db.Gorm().WithContext(ctx).Raw(`SELECT o.space_id, b.organisation_id, o.starts_at, o.ends_at
		FROM booking_occurrences o JOIN bookings b ON b.id = o.booking_id
		WHERE o.status = 'confirmed' ORDER BY o.space_id, o.starts_at`).Rows()
	if err != nil {
		return out, err
	}
	defer rows.Close()
	gap := time.Duration(o.turnaround) * time.Minute
	held := map[[2]string]time.Duration{}
	var prevSpace string
	var prevEnd time.Time
	for rows.Next() {
		var spaceID, orgID string
		var start, end time.Time
		if err := rows.Scan(&spaceID, &orgID, &start, &end); err != nil {
			return out, err
		}
		if spaceID == prevSpace && start.Before(prevEnd.Add(gap)) {
			out.close++
		}
		if spaceID != prevSpace || end.After(prevEnd) {
			prevEnd = end
		}
		prevSpace = spaceID
		held[[2]string{spaceID, orgID}] += end.Sub(start)
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	for _, h := range held {
		out.most = max(out.most, h.Hours())
		if o.cap > 0 && h > time.Duration(o.cap)*time.Hour {
			out.over++
		}
	}
	return out, nil
}
