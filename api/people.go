package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"commonground/matching"
	"commonground/notify"
)

// PeopleStore is what people, sessions, memberships, API keys and the
// audit log need of the database.
type PeopleStore interface {
	RegisterOrganisation(ctx context.Context, o *matching.Organisation, reg matching.Registration) error
	Credential(ctx context.Context, hash string) (*matching.Credential, error)
	TouchAPIKey(ctx context.Context, id string, at time.Time) error
	GetPerson(ctx context.Context, id string) (*matching.Person, []matching.Membership, error)
	PersonByEmail(ctx context.Context, email string) (*matching.Person, string, error)
	UpdatePerson(ctx context.Context, id string, edit func(p *matching.Person) error) (*matching.Person, error)
	DeletePerson(ctx context.Context, id string) error
	CreateSession(ctx context.Context, id, hash, personID string, expires time.Time) error
	EndSession(ctx context.Context, hash string) error
	CreateAPIKey(ctx context.Context, k *matching.APIKey, hash string) error
	ListAPIKeys(ctx context.Context, orgID string) ([]matching.APIKey, error)
	RevokeAPIKey(ctx context.Context, orgID, keyID string) error
	ListMembers(ctx context.Context, orgID string) ([]matching.Member, error)
	SetMemberRole(ctx context.Context, orgID, personID string, role matching.Role) error
	RemoveMember(ctx context.Context, orgID, personID string) error
	CreateInvitation(ctx context.Context, inv *matching.Invitation, hash string) error
	// InvitationEmail is the email the invitation whose token hashes to
	// hash was sent to.
	InvitationEmail(ctx context.Context, hash string, now time.Time) (string, error)
	AcceptInvitation(ctx context.Context, hash string, now time.Time, newPerson *matching.Person, passwordHash, personID string) (*matching.Membership, error)
	CreatePasswordReset(ctx context.Context, personID, hash string, expires time.Time) error
	ResetPassword(ctx context.Context, hash, passwordHash string, now time.Time) error
	ListAudit(ctx context.Context, orgID string, page matching.Page) ([]matching.AuditEntry, error)
	SharesWith(ctx context.Context, orgID string, others []string) (map[string]bool, error)
}

// Mailer sends one email; *notify.Mailer is one.
type Mailer interface {
	Send(ctx context.Context, msg notify.Message) error
}

// Login throttling: failedLoginsPerWindow wrong passwords per email, and
// per client address, within loginWindow; past that a login is a 429.
const (
	failedLoginsPerWindow = 10
	loginWindow           = 15 * time.Minute
)

// Person is the API shape of a person.
type Person struct {
	ID                 string `json:"id"`
	Name               string `json:"name"`
	Email              string `json:"email"`
	EmailNotifications bool   `json:"email_notifications"`
	CreatedAt          string `json:"created_at"`
}

// Membership is the API shape of a membership.
type Membership struct {
	OrganisationID string `json:"organisation_id"`
	PersonID       string `json:"person_id"`
	Role           string `json:"role"`
}

// SessionOut is the answer to signing in.
type SessionOut struct {
	Token       string       `json:"token"`
	ExpiresAt   string       `json:"expires_at"`
	Person      Person       `json:"person"`
	Memberships []Membership `json:"memberships"`
}

func toPersonJSON(p *matching.Person) Person {
	return Person{ID: p.ID, Name: p.Name, Email: p.Email, EmailNotifications: p.EmailNotifications, CreatedAt: rfc3339(p.CreatedAt)}
}

func toMemberships(ms []matching.Membership) []Membership {
	out := make([]Membership, len(ms))
	for i, m := range ms {
		out[i] = Membership{OrganisationID: m.OrganisationID, PersonID: m.PersonID, Role: string(m.Role)}
	}
	return out
}

// newTokenWith makes a random token with a prefix saying what it is.
func newTokenWith(prefix string) string {
	return prefix + strings.TrimPrefix(NewToken(), "cg_")
}

// personIn is a new person: the admin of a registration, or someone
// accepting an invitation.
type personIn struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Password string `json:"password"`
}

// check validates a new person (email only when withEmail) and returns
// the person with their email normalised.
func (in *personIn) check(ve *matching.ValidationError, prefix string, withEmail bool) matching.Person {
	p := matching.Person{Name: strings.TrimSpace(in.Name), EmailNotifications: true}
	if p.Name == "" || len(p.Name) > 200 {
		ve.Add(prefix+"name", "is required, at most 200 characters")
	}
	if withEmail {
		email, ok := matching.NormaliseEmail(in.Email)
		if !ok {
			ve.Add(prefix+"email", "must be one email address, such as name@example.org")
		}
		p.Email = email
	}
	matching.ValidatePassword(ve, prefix+"password", in.Password)
	return p
}

// hashFailed answers a hashing error: 503 when every slot stayed taken.
func hashFailed(c *gin.Context, err error) {
	if errors.Is(err, errHashBusy) {
		c.Header("Retry-After", "1")
		failStatus(c, http.StatusServiceUnavailable, "busy", "Busy", "too many sign-ins at once: try again in a second")
		return
	}
	fail(c, err)
}

type loginIn struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// errBadLogin is the one answer to a wrong email or a wrong password.
var errBadLogin = fmt.Errorf("%w: the email or password is not right", matching.ErrUnauthorized)

// createSession signs a person in: POST /v1/sessions.
func (h *handler) createSession(c *gin.Context) {
	var in loginIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	email, ok := matching.NormaliseEmail(in.Email)
	if !ok || in.Password == "" || len(in.Password) > 4*matching.MaxPasswordLength {
		ve := &matching.ValidationError{}
		if !ok {
			ve.Add("email", "must be one email address")
		}
		if in.Password == "" || len(in.Password) > 4*matching.MaxPasswordLength {
			ve.Add("password", "is required")
		}
		fail(c, ve)
		return
	}
	byEmail, byAddr := "email:"+email, clientKey(c)
	if d := max(h.logins.delay(byEmail), h.logins.delay(byAddr)); d > 0 {
		tooMany(c, d, "too many failed sign-ins for this email or from this address")
		return
	}
	ctx := c.Request.Context()
	p, stored, err := h.store.PersonByEmail(ctx, email)
	if err != nil && !errors.Is(err, matching.ErrNotFound) {
		fail(c, err)
		return
	}
	good, err := h.passwords.Check(ctx, stored, in.Password)
	if err != nil {
		hashFailed(c, err)
		return
	}
	if !good || p == nil {
		h.logins.spend(byEmail)
		h.logins.spend(byAddr)
		c.Header("WWW-Authenticate", `Bearer realm="commonground"`)
		fail(c, errBadLogin)
		return
	}
	h.startSession(c, p)
}

// currentSession answers who is signed in: GET /v1/sessions/current.
func (h *handler) currentSession(c *gin.Context) {
	who, ok := mustPerson(c)
	if !ok {
		return
	}
	p, ms, err := h.store.GetPerson(c.Request.Context(), who.PersonID)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.JSON(http.StatusOK, gin.H{"person": toPersonJSON(p), "memberships": toMemberships(ms), "acting_organisation_id": who.OrganisationID})
}

// endSession signs out: DELETE /v1/sessions/current. The token stops
// working at once here and within tokenReverify on every replica.
func (h *handler) endSession(c *gin.Context) {
	if _, ok := mustPerson(c); !ok {
		return
	}
	token, _ := bearer(c)
	hash := HashToken(token)
	if err := h.store.EndSession(c.Request.Context(), hash); err != nil {
		fail(c, err)
		return
	}
	h.tokens.forget(hash)
	c.Status(http.StatusNoContent)
}

type personPatch struct {
	Name               *string `json:"name"`
	EmailNotifications *bool   `json:"email_notifications"`
}

// getMe answers the signed-in person: GET /v1/people/me.
func (h *handler) getMe(c *gin.Context) {
	who, ok := mustPerson(c)
	if !ok {
		return
	}
	p, _, err := h.store.GetPerson(c.Request.Context(), who.PersonID)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-cache")
	writeTagged(c, http.StatusOK, toPersonJSON(p))
}

// patchMe changes the signed-in person's name or email_notifications:
// PATCH /v1/people/me.
func (h *handler) patchMe(c *gin.Context) {
	who, ok := mustPerson(c)
	if !ok {
		return
	}
	var in personPatch
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	ve := &matching.ValidationError{}
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		if n == "" || len(n) > 200 {
			ve.Add("name", "is required, at most 200 characters")
		}
		in.Name = &n
	}
	if len(ve.Errors) > 0 {
		fail(c, ve)
		return
	}
	p, err := h.store.UpdatePerson(c.Request.Context(), who.PersonID, func(p *matching.Person) error {
		setString(&p.Name, in.Name)
		if in.EmailNotifications != nil {
			p.EmailNotifications = *in.EmailNotifications
		}
		return nil
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-cache")
	writeTagged(c, http.StatusOK, toPersonJSON(p))
}

// deleteMe deletes the signed-in person's account: DELETE /v1/people/me
// (409 while they are the last admin of an organisation). Every session
// of theirs ends at once here and within tokenReverify everywhere.
func (h *handler) deleteMe(c *gin.Context) {
	who, ok := mustPerson(c)
	if !ok {
		return
	}
	if err := h.store.DeletePerson(c.Request.Context(), who.PersonID); err != nil {
		fail(c, err)
		return
	}
	h.tokens.clear()
	c.Status(http.StatusNoContent)
}

type resetIn struct {
	Email string `json:"email"`
}

type newPasswordIn struct {
	Password string `json:"password"`
}

// requestPasswordReset mails a reset link: POST /v1/password-resets. It
// answers 202 whatever the email, at once, and mails in the background,
// so neither the answer nor its timing says whether an account exists.
func (h *handler) requestPasswordReset(c *gin.Context) {
	var in resetIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	email, ok := matching.NormaliseEmail(in.Email)
	if !ok {
		ve := &matching.ValidationError{}
		ve.Add("email", "must be one email address")
		fail(c, ve)
		return
	}
	byEmail := "reset:" + email
	if d := h.logins.delay(byEmail); d > 0 {
		// Answered as any other: a flood of resets for one address
		// mails nobody more, and says nothing.
		resetAccepted(c)
		return
	}
	h.logins.spend(byEmail)
	h.background(func(ctx context.Context) {
		p, _, err := h.store.PersonByEmail(ctx, email)
		if err != nil {
			if !errors.Is(err, matching.ErrNotFound) {
				h.log.Warn("password reset lookup failed", "error", err.Error())
			}
			return
		}
		token := newTokenWith("cgr_")
		if err := h.store.CreatePasswordReset(ctx, p.ID, HashToken(token), h.now().Add(matching.PasswordResetTTL)); err != nil {
			h.log.Warn("password reset not recorded", "error", err.Error())
			return
		}
		h.mail(ctx, p.Email, notify.ComposePasswordReset(h.publicURL+"/password-reset/"+token))
	})
	resetAccepted(c)
}

// ResetAccepted is the answer to a password-reset request, whatever the
// email.
type ResetAccepted struct {
	Message string `json:"message"`
}

func resetAccepted(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusAccepted, ResetAccepted{Message: "If an account has this email, a link to set a new password " +
		"is on its way to it. The link works once, for 1 hour."})
}

// resetPassword sets a new password with a reset link's token: POST
// /v1/password-resets/{token}. Every session of the person ends.
func (h *handler) resetPassword(c *gin.Context) {
	var in newPasswordIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	ve := &matching.ValidationError{}
	matching.ValidatePassword(ve, "password", in.Password)
	if len(ve.Errors) > 0 {
		fail(c, ve)
		return
	}
	stored, err := h.passwords.Hash(c.Request.Context(), in.Password)
	if err != nil {
		hashFailed(c, err)
		return
	}
	if err := h.store.ResetPassword(c.Request.Context(), HashToken(c.Param("token")), stored, h.now()); err != nil {
		if errors.Is(err, matching.ErrNotFound) {
			err = fmt.Errorf("%w: this reset link has been used or has expired; ask for a new one", matching.ErrNotFound)
		}
		fail(c, err)
		return
	}
	h.tokens.clear()
	c.Status(http.StatusNoContent)
}

// background runs fn after the answer, bounded by a minute. It is for
// mail that must not make the answer wait or say, by its timing, what it
// found; a process stopping meanwhile drops it (the invitation's answer
// carries its link, and a reset can be asked for again).
func (h *handler) background(fn func(ctx context.Context)) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		fn(ctx)
	}()
}

// mail sends msg to one address when mail is configured, logging a
// failure.
func (h *handler) mail(ctx context.Context, to string, msg notify.Message) {
	if h.mailer == nil {
		h.log.Info("mail is not configured; not sending", "subject", msg.Subject)
		return
	}
	msg.To = []string{to}
	if err := h.mailer.Send(ctx, msg); err != nil {
		h.log.Warn("mail not sent", "subject", msg.Subject, "error", err.Error())
	}
}
