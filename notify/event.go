package notify

import (
	"encoding/json"
	"time"
)

// Event is one notification to deliver, as recorded by the caller.
type Event struct {
	// ID is the stable event id (a UUID). DeliveryID derives the
	// webhook-id of each endpoint's deliveries from it.
	ID string
	// Event names what happened, e.g. "booking.requested".
	Event     string
	CreatedAt time.Time
	// Subject is the record the event is about.
	Subject Subject
	// Summary is one plain-English line, e.g. "Leaps and Bounds asked to
	// book Main Hall for 10 Thursdays".
	Summary string
	// Data is the JSON object sent as "data" in webhooks; empty means {}.
	Data json.RawMessage
}

// Subject names the record an event is about: Type is "booking",
// "partnership", "consortium", … and ID its id.
type Subject struct {
	Type string
	ID   string
}
