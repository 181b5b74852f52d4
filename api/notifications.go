package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"commonground/matching"
)

// NotificationStore is what the inbox and the messages need of the
// database. *store.DB implements it.
type NotificationStore interface {
	// ListNotifications lists an organisation's inbox newest first.
	ListNotifications(ctx context.Context, orgID string, unreadOnly bool, page matching.Page) ([]matching.Notification, error)
	// MarkNotificationRead marks one of orgID's notifications read
	// (keeping the first reading) and returns it.
	MarkNotificationRead(ctx context.Context, orgID, id string, at time.Time) (*matching.Notification, error)
	// PostMessage adds a message from one party of its subject and tells
	// the other, in one transaction.
	PostMessage(ctx context.Context, m *matching.Message) error
	// ListMessages lists a booking's or partnership's messages oldest
	// first.
	ListMessages(ctx context.Context, subjectType, subjectID string, page matching.Page) ([]matching.Message, error)
}

// Subject names what an event or message is about.
type Subject struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// Notification is the API shape of one event in an inbox.
type Notification struct {
	ID        string  `json:"id"`
	Event     string  `json:"event"`
	CreatedAt string  `json:"created_at"`
	ReadAt    *string `json:"read_at"`
	Subject   Subject `json:"subject"`
	Summary   string  `json:"summary"`
}

func toNotificationJSON(n *matching.Notification) Notification {
	out := Notification{ID: n.ID, Event: n.Event.Event, CreatedAt: rfc3339Micro(n.CreatedAt),
		Subject: Subject{Type: n.Event.SubjectType, ID: n.Event.SubjectID}, Summary: n.Event.Summary}
	if n.ReadAt != nil {
		s := rfc3339Micro(*n.ReadAt)
		out.ReadAt = &s
	}
	return out
}

// Message is the API shape of a message between the parties of a booking
// or partnership.
type Message struct {
	ID             string  `json:"id"`
	Subject        Subject `json:"subject"`
	OrganisationID string  `json:"organisation_id"`
	AuthorName     string  `json:"author_name"`
	Body           string  `json:"body"`
	CreatedAt      string  `json:"created_at"`
}

func toMessageJSON(m *matching.Message) Message {
	return Message{ID: m.ID, Subject: Subject{Type: m.SubjectType, ID: m.SubjectID}, OrganisationID: m.OrganisationID,
		AuthorName: m.AuthorName, Body: m.Body, CreatedAt: rfc3339Micro(m.CreatedAt)}
}

// rfc3339Micro writes a time to the microsecond, as the database keeps
// it, so the order of items within one second shows.
func rfc3339Micro(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.999999Z07:00") }

// messageIn is the body of POST …/messages.
type messageIn struct {
	Body *string `json:"body"`
}

// DecodeMessageBody reads a message's JSON body strictly (see
// DecodeStrict) and returns its text trimmed of surrounding white space.
// Its errors wrap matching.ErrInvalid: a body that is missing, not a
// string, empty once trimmed, longer than matching.MaxMessageLength
// characters or holding a NUL character, or an unknown field.
func DecodeMessageBody(raw []byte) (string, error) {
	var in messageIn
	if err := DecodeStrict(raw, &in); err != nil {
		return "", err
	}
	if in.Body == nil {
		return "", matching.Invalid("body", "is required (the message's text)")
	}
	ve := &matching.ValidationError{}
	body := matching.NormaliseMessageBody(ve, "body", *in.Body)
	if err := ve.Err(); err != nil {
		return "", err
	}
	return body, nil
}

// inboxOwner is the organisation whose inbox the caller reads: 401
// anonymous, 400 for the operator, who has none.
func inboxOwner(c *gin.Context) (string, bool) {
	who, ok := mustAuth(c)
	if !ok {
		return "", false
	}
	if who.OrganisationID == "" {
		fail(c, matching.Invalid("", "the operator has no inbox: notifications belong to organisations; use an organisation's token"))
		return "", false
	}
	return who.OrganisationID, true
}

// privateAnswer marks an answer as the caller's own: caches may keep it
// for them only, and must ask again before reusing it.
func privateAnswer(c *gin.Context) {
	c.Writer.Header().Add("Vary", "Authorization")
	c.Header("Cache-Control", "private, no-cache")
}

// listNotifications serves GET /v1/notifications: the acting
// organisation's inbox, newest first, only unread with unread=true, paged
// by cursor.
func (h *handler) listNotifications(c *gin.Context) {
	org, ok := inboxOwner(c)
	if !ok {
		return
	}
	q := c.Request.URL.Query()
	p := newQueryParser(q, "unread", "limit", "cursor")
	limit := p.limit()
	key := queryKey(c.Request.URL.Path, q)
	after := p.cursor(key, false)
	unread := false
	switch s := p.str("unread"); s {
	case "", "false":
	case "true":
		unread = true
	default:
		p.ve.Add("unread", "must be true or false, got %q", clip(s))
	}
	if err := p.err(); err != nil {
		fail(c, err)
		return
	}
	ns, err := h.store.ListNotifications(c.Request.Context(), org, unread, pageAfter(limit, after))
	if err != nil {
		fail(c, err)
		return
	}
	privateAnswer(c)
	writeTagged(c, http.StatusOK, linked(c, pageOf(ns, limit, key, func(n *matching.Notification) string { return n.ID }, toNotificationJSON)))
}

// readNotification serves POST /v1/notifications/{id}/read: 200 with the
// notification, read; reading it again keeps the first read_at. Another
// organisation's notification is 404.
func (h *handler) readNotification(c *gin.Context) {
	org, ok := inboxOwner(c)
	if !ok {
		return
	}
	n, err := h.store.MarkNotificationRead(c.Request.Context(), org, c.Param("id"), h.now())
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, toNotificationJSON(n))
}

// messageSubject checks the caller may see the booking or partnership in
// the path, answering 401 or 404 (also to an organisation not party to it)
// otherwise.
func (h *handler) messageSubject(c *gin.Context, subjectType string) (Caller, bool) {
	who, ok := mustAuth(c)
	if !ok {
		return who, false
	}
	ctx, id := c.Request.Context(), c.Param("id")
	var err error
	switch subjectType {
	case matching.SubjectBooking:
		var b *matching.Booking
		if b, err = h.store.GetBooking(ctx, id); err == nil {
			err = mayRead(who, b)
		}
	default:
		var p *matching.Partnership
		if p, err = h.store.GetPartnership(ctx, id); err == nil && !p.VisibleTo(actorOf(who)) {
			err = errNoPartnership(p.ID)
		}
	}
	if err != nil {
		fail(c, err)
		return who, false
	}
	return who, true
}

// listMessages serves GET /v1/{bookings|partnerships}/{id}/messages: the
// messages oldest first, paged by cursor, to the two parties and the
// operator.
func (h *handler) listMessages(subjectType string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, ok := h.messageSubject(c, subjectType); !ok {
			return
		}
		page, limit, key, ok := idPage(c)
		if !ok {
			return
		}
		ms, err := h.store.ListMessages(c.Request.Context(), subjectType, c.Param("id"), page)
		if err != nil {
			fail(c, err)
			return
		}
		privateAnswer(c)
		writeTagged(c, http.StatusOK, linked(c, pageOf(ms, limit, key, func(m *matching.Message) string { return m.ID }, toMessageJSON)))
	}
}

// postMessage serves POST /v1/{bookings|partnerships}/{id}/messages: 201
// with the message, told to the other party. Only the two parties post;
// the operator may read but not post (403).
func (h *handler) postMessage(subjectType string) gin.HandlerFunc {
	return func(c *gin.Context) {
		who, ok := h.messageSubject(c, subjectType)
		if !ok {
			return
		}
		if who.OrganisationID == "" {
			fail(c, fmt.Errorf("%w: messages are written by the two parties, with their own tokens; the operator may read them", matching.ErrForbidden))
			return
		}
		raw, err := readJSONBody(c)
		if err != nil {
			fail(c, err)
			return
		}
		body, err := DecodeMessageBody(raw)
		if err != nil {
			fail(c, err)
			return
		}
		m := &matching.Message{SubjectType: subjectType, SubjectID: c.Param("id"), OrganisationID: who.OrganisationID, Body: body}
		if p, ok := matching.PrincipalFrom(c.Request.Context()); ok {
			// A person signs with their name; a key (whose name says
			// what uses it, not who writes) with the organisation's,
			// which the store fills in for "".
			if p.Kind == matching.PrincipalPerson {
				m.PersonID = p.ID
				m.AuthorName = string([]rune(p.Name)[:min(len([]rune(p.Name)), matching.MaxAuthorNameLength)])
			}
		}
		if err := h.store.PostMessage(c.Request.Context(), m); err != nil {
			fail(c, err)
			return
		}
		c.Header("Location", c.Request.URL.Path)
		c.JSON(http.StatusCreated, toMessageJSON(m))
	}
}
