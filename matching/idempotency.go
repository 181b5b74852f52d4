package matching

import "time"

// Idempotency names a request that a client may send more than once: its
// Key (chosen by the client, unique per organisation) and a hash of what
// it asked (RequestHash), so a retry can be told from a different request
// under the same key. Keys are kept for TTL (DefaultIdempotencyTTL if
// zero).
type Idempotency struct {
	Key         string
	RequestHash string
	TTL         time.Duration
}

// DefaultIdempotencyTTL is how long an idempotency key is remembered.
const DefaultIdempotencyTTL = 24 * time.Hour

// Reply is the answer to a booking request as kept for its idempotency
// key: a status and a body, opaque to whoever keeps it. Replayed says it
// was read back, not made now.
type Reply struct {
	Status   int
	Body     []byte
	Replayed bool
}

// Render turns what came of a booking request into the reply to keep for
// its idempotency key. A store runs it inside the booking's transaction
// and may run it more than once (a transaction is retried after a
// conflict with a concurrent one), so it must not have side effects.
type Render func(*BookingOutcome) (Reply, error)
