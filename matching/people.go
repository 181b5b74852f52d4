package matching

import (
	"context"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Role is what a person may do for an organisation.
type Role string

const (
	// RoleAdmin may do everything for the organisation, including
	// managing its members, API keys and webhooks.
	RoleAdmin Role = "admin"
	// RoleMember may do everything but manage members, keys and
	// webhooks.
	RoleMember Role = "member"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleMember }

// MinPasswordLength and MaxPasswordLength bound a password (in
// characters); the upper bound keeps hashing cheap to refuse.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 200
)

// Person is someone who signs in and acts for one or more organisations.
type Person struct {
	ID                 string
	Name               string
	Email              string // lowercased
	EmailNotifications bool
	CreatedAt          time.Time
}

// Membership ties a person to an organisation with a role.
type Membership struct {
	OrganisationID string
	PersonID       string
	Role           Role
	CreatedAt      time.Time
}

// Member is a membership with its person, as an organisation's member list
// shows it.
type Member struct {
	Membership
	Person Person
}

// APIKey is a named credential acting for one organisation with an
// admin's rights, except managing members. Its token is shown once, when
// it is made, and only its hash is kept.
type APIKey struct {
	ID             string
	OrganisationID string
	Name           string
	CreatedBy      string // person ID; "" for the registration key
	CreatedAt      time.Time
	LastUsedAt     *time.Time
}

// Invitation asks someone, by email, to join an organisation with a role.
type Invitation struct {
	ID             string
	OrganisationID string
	Email          string
	Role           Role
	InvitedBy      string // person ID; "" when invited by a key or the operator
	CreatedAt      time.Time
	ExpiresAt      time.Time
	AcceptedAt     *time.Time
}

// InvitationTTL is how long an invitation can be accepted;
// PasswordResetTTL how long a reset link works; SessionTTL how long a
// session lasts.
const (
	InvitationTTL    = 7 * 24 * time.Hour
	PasswordResetTTL = time.Hour
	SessionTTL       = 30 * 24 * time.Hour
)

// The kinds of Principal.
const (
	PrincipalPerson   = "person"
	PrincipalKey      = "key"
	PrincipalOperator = "operator"
)

// Principal is who makes a change: a person (by a session), an API key,
// or the operator, acting for OrganisationID ("" for the operator).
type Principal struct {
	Kind           string
	ID             string // person or key ID
	Name           string // person's or key's name
	OrganisationID string
	Role           Role
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p, so the store can record who made
// the changes it writes (the audit log, and whose organisation an event
// comes from).
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal ctx carries, if any.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// AuditEntry is one line of an organisation's audit log: who did what to
// which subject, when.
type AuditEntry struct {
	ID             string
	OrganisationID string
	ActorType      string // PrincipalPerson, PrincipalKey or PrincipalOperator
	ActorID        string
	ActorName      string
	Action         string // e.g. "space.updated"
	SubjectType    string
	SubjectID      string
	CreatedAt      time.Time
}

// Audit is what a write is, for the audit log: the action, its subject,
// and the organisation whose log it goes in.
type Audit struct {
	OrganisationID string
	Action         string
	SubjectType    string
	SubjectID      string
}

type auditKey struct{}

// auditSlot holds the audit description of a request's writes, filled in
// once the request knows what it does (see NewAuditSlot).
type auditSlot struct {
	mu sync.Mutex
	a  *Audit
}

// WithAudit returns ctx saying that the write made with it is a, so the
// store records it, with the principal ctx carries, in the audit log in the
// write's own transaction.
func WithAudit(ctx context.Context, a Audit) context.Context {
	s := &auditSlot{a: &a}
	return context.WithValue(ctx, auditKey{}, s)
}

// NewAuditSlot returns ctx with room for an audit description that
// SetAudit fills in later: a request's context gets one when it starts, and
// every context derived from it sees what its handler sets.
func NewAuditSlot(ctx context.Context) context.Context {
	return context.WithValue(ctx, auditKey{}, &auditSlot{})
}

// SetAudit describes the writes made with ctx (see NewAuditSlot); it
// reports false when ctx has no slot.
func SetAudit(ctx context.Context, a Audit) bool {
	s, ok := ctx.Value(auditKey{}).(*auditSlot)
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.a = &a
	return true
}

// AuditFrom returns the audit description ctx carries, if any.
func AuditFrom(ctx context.Context) (Audit, bool) {
	s, ok := ctx.Value(auditKey{}).(*auditSlot)
	if !ok {
		return Audit{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.a == nil {
		return Audit{}, false
	}
	return *s.a, true
}

// NormaliseEmail trims and lowercases an email address, and checks that
// it is one address of at most 254 characters, without a display name.
func NormaliseEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(s) > 254 || strings.ContainsAny(s, " <>\x00") {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s, "@") {
		return "", false
	}
	return s, true
}

// ValidatePassword checks a new password's length: at least
// MinPasswordLength characters, at most MaxPasswordLength.
func ValidatePassword(ve *ValidationError, field, pw string) {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw) || strings.ContainsRune(pw, 0):
		ve.Add(field, "must be text without NUL characters")
	case n < MinPasswordLength:
		ve.Add(field, "must be at least %d characters", MinPasswordLength)
	case n > MaxPasswordLength:
		ve.Add(field, "must be at most %d characters", MaxPasswordLength)
	}
}

// The events notifications are made of.
const (
	EventBookingRequested             = "booking.requested"
	EventBookingConfirmed             = "booking.confirmed"
	EventBookingDeclined              = "booking.declined"
	EventBookingCancelled             = "booking.cancelled"
	EventPartnershipProposed          = "partnership.proposed"
	EventPartnershipAccepted          = "partnership.accepted"
	EventPartnershipDeclined          = "partnership.declined"
	EventPartnershipActivated         = "partnership.activated"
	EventPartnershipCompleted         = "partnership.completed"
	EventPartnershipEnded             = "partnership.ended"
	EventPartnershipAmendmentProposed = "partnership.amendment_proposed"
	EventPartnershipHealthFlagged     = "partnership.health_flagged"
	EventPartnershipReviewDue         = "partnership.review_due"
	EventConsortiumInvited            = "consortium.invited"
	EventMessagePosted                = "message.posted"
)

// Events lists every event, in the contract's order.
var Events = []string{
	EventBookingRequested, EventBookingConfirmed, EventBookingDeclined, EventBookingCancelled,
	EventPartnershipProposed, EventPartnershipAccepted, EventPartnershipDeclined,
	EventPartnershipActivated, EventPartnershipCompleted, EventPartnershipEnded,
	EventPartnershipAmendmentProposed, EventPartnershipHealthFlagged, EventPartnershipReviewDue,
	EventConsortiumInvited, EventMessagePosted,
}

// Event is one thing that happened that organisations are told of: kept in
// the same transaction as the change that caused it, shown in the inboxes
// of the organisations concerned, and delivered by email and webhook.
type Event struct {
	ID          string
	Event       string // one of Events
	SubjectType string // "booking", "partnership", …
	SubjectID   string
	Summary     string // one plain-English line
	Data        []byte // a JSON object: the webhook's "data"
	// ActorOrganisationID is the organisation whose principal caused
	// it ("" for the operator or the service itself).
	ActorOrganisationID string
	CreatedAt           time.Time
}

// Notification is an event in one organisation's inbox.
type Notification struct {
	ID             string
	OrganisationID string
	Event          Event
	CreatedAt      time.Time
	ReadAt         *time.Time
}

// Message is a note one party of a booking or partnership posts to the
// other.
type Message struct {
	ID             string
	SubjectType    string // "booking" or "partnership"
	SubjectID      string
	OrganisationID string // the author's organisation
	PersonID       string // "" when posted with an API key
	AuthorName     string
	Body           string
	CreatedAt      time.Time
}

// MaxMessageLength bounds a message's body, in characters.
const MaxMessageLength = 5000

// Credential is what a bearer token stands for: an API key acting for its
// organisation, or a person's session with their memberships.
type Credential struct {
	Kind string // PrincipalKey or PrincipalPerson

	// For a key.
	KeyID, KeyName, OrganisationID string
	KeyLastUsedAt                  *time.Time

	// For a session.
	SessionID   string
	Person      Person
	Memberships []Membership
	ExpiresAt   time.Time
}

// Registration is what comes with a new organisation: its first API key
// (the token the registration answers with) and, optionally, its first
// admin: a new person, or one already signed in.
type Registration struct {
	KeyID, KeyHash string
	// NewAdmin, with its password's hash, is made with the organisation.
	NewAdmin     *Person
	PasswordHash string
	// AdminID is an existing person who becomes the first admin.
	AdminID string
}
