package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"commonground/matching"
	"commonground/notify"
)

// Member is the API shape of an organisation's member.
type Member struct {
	PersonID  string `json:"person_id"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	Role      string `json:"role"`
	CreatedAt string `json:"created_at"`
}

func toMemberJSON(m *matching.Member) Member {
	return Member{PersonID: m.PersonID, Name: m.Person.Name, Email: m.Person.Email, Role: string(m.Role), CreatedAt: rfc3339(m.CreatedAt)}
}

// Invitation is the API shape of an invitation.
type Invitation struct {
	ID             string `json:"id"`
	OrganisationID string `json:"organisation_id"`
	Email          string `json:"email"`
	Role           string `json:"role"`
	CreatedAt      string `json:"created_at"`
	ExpiresAt      string `json:"expires_at"`
}

// APIKey is the API shape of an API key; Token only when it is made.
type APIKey struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	CreatedBy  *string `json:"created_by"`
	CreatedAt  string  `json:"created_at"`
	LastUsedAt *string `json:"last_used_at"`
	Token      string  `json:"token,omitempty"`
}

func toAPIKeyJSON(k *matching.APIKey) APIKey {
	out := APIKey{ID: k.ID, Name: k.Name, CreatedAt: rfc3339(k.CreatedAt)}
	if k.CreatedBy != "" {
		out.CreatedBy = &k.CreatedBy
	}
	if k.LastUsedAt != nil {
		s := rfc3339(*k.LastUsedAt)
		out.LastUsedAt = &s
	}
	return out
}

// AuditEntry is the API shape of a line of the audit log.
type AuditEntry struct {
	ID        string     `json:"id"`
	Actor     AuditActor `json:"actor"`
	Action    string     `json:"action"`
	Subject   Subject    `json:"subject"`
	CreatedAt string     `json:"created_at"`
}

// AuditActor is who did something: a person, a key or the operator.
type AuditActor struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Name string `json:"name"`
}

// audit marks the request's writes as action on a subject, for the audit
// log of the organisation the caller acts for (owner's, for the operator)
// (see matching.SetAudit; the slot is made by authenticate).
func audit(c *gin.Context, owner, action, subjectType, subjectID string) {
	orgID := caller(c).OrganisationID
	if orgID == "" {
		orgID = owner
	}
	matching.SetAudit(c.Request.Context(), matching.Audit{
		OrganisationID: orgID, Action: action, SubjectType: subjectType, SubjectID: subjectID})
}

// mustManageMembers checks that the caller may manage orgID's members: a
// person who is its admin, or the operator. Keys may not.
func mustManageMembers(c *gin.Context, orgID string) bool {
	who, ok := mustAuth(c)
	if !ok {
		return false
	}
	if who.Operator || (who.PersonID != "" && who.IsAdmin(orgID)) {
		return true
	}
	msg := "only an admin of the organisation may manage its members"
	if who.KeyID != "" && who.OrganisationID == orgID {
		msg = "API keys may not manage members: sign in as an admin"
	}
	fail(c, fmt.Errorf("%w: %s", matching.ErrForbidden, msg))
	return false
}

// orgExists answers 404 unless the organisation in the path exists.
func (h *handler) orgExists(c *gin.Context) (*matching.Organisation, bool) {
	o, err := h.store.GetOrganisation(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return o, true
}

// listMembers: GET /v1/organisations/{id}/members, for its members and the
// operator.
func (h *handler) listMembers(c *gin.Context) {
	o, ok := h.orgExists(c)
	if !ok {
		return
	}
	who, ok := mustAuth(c)
	if !ok {
		return
	}
	if !who.Operator && who.OrganisationID != o.ID {
		fail(c, fmt.Errorf("%w: only the organisation's members may see who they are", matching.ErrForbidden))
		return
	}
	ms, err := h.store.ListMembers(c.Request.Context(), o.ID)
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]Member, len(ms))
	for i := range ms {
		items[i] = toMemberJSON(&ms[i])
	}
	c.Header("Cache-Control", "private, no-cache")
	writeTagged(c, http.StatusOK, gin.H{"items": items, "next_cursor": nil})
}

type memberPatch struct {
	Role string `json:"role"`
}

// patchMember changes a member's role: PATCH
// /v1/organisations/{id}/members/{person_id} (admins).
func (h *handler) patchMember(c *gin.Context) {
	o, ok := h.orgExists(c)
	if !ok || !mustManageMembers(c, o.ID) {
		return
	}
	var in memberPatch
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	role := matching.Role(in.Role)
	if !role.Valid() {
		ve := &matching.ValidationError{}
		ve.Add("role", "must be admin or member")
		fail(c, ve)
		return
	}
	personID := c.Param("person_id")
	audit(c, o.ID, "member.role_changed", "person", personID)
	if err := h.store.SetMemberRole(c.Request.Context(), o.ID, personID, role); err != nil {
		fail(c, err)
		return
	}
	h.tokens.clear()
	h.writeMember(c, o.ID, personID)
}

func (h *handler) writeMember(c *gin.Context, orgID, personID string) {
	ms, err := h.store.ListMembers(c.Request.Context(), orgID)
	if err != nil {
		fail(c, err)
		return
	}
	for i := range ms {
		if ms[i].PersonID == personID {
			c.JSON(http.StatusOK, toMemberJSON(&ms[i]))
			return
		}
	}
	fail(c, fmt.Errorf("%w: no such member", matching.ErrNotFound))
}

// deleteMember removes a member: DELETE
// /v1/organisations/{id}/members/{person_id} (admins; anyone may leave).
// Their access to the organisation ends at once here and within
// tokenReverify on every replica.
func (h *handler) deleteMember(c *gin.Context) {
	o, ok := h.orgExists(c)
	if !ok {
		return
	}
	personID := c.Param("person_id")
	if who := caller(c); who.PersonID == "" || who.PersonID != personID {
		if !mustManageMembers(c, o.ID) {
			return
		}
	}
	audit(c, o.ID, "member.removed", "person", personID)
	if err := h.store.RemoveMember(c.Request.Context(), o.ID, personID); err != nil {
		fail(c, err)
		return
	}
	h.tokens.clear()
	c.Status(http.StatusNoContent)
}

type invitationIn struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

// createInvitation invites someone by email: POST
// /v1/organisations/{id}/invitations (admins). The answer carries the
// accept_url, and it is mailed when mail is configured.
func (h *handler) createInvitation(c *gin.Context) {
	o, ok := h.orgExists(c)
	if !ok || !mustManageMembers(c, o.ID) {
		return
	}
	var in invitationIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	ve := &matching.ValidationError{}
	email, ok := matching.NormaliseEmail(in.Email)
	if !ok {
		ve.Add("email", "must be one email address")
	}
	role := matching.Role(in.Role)
	if in.Role == "" {
		role = matching.RoleMember
	}
	if !role.Valid() {
		ve.Add("role", "must be admin or member")
	}
	if len(ve.Errors) > 0 {
		fail(c, ve)
		return
	}
	who := caller(c)
	now := h.now()
	inv := &matching.Invitation{ID: uuid.NewString(), OrganisationID: o.ID, Email: email, Role: role,
		InvitedBy: who.PersonID, CreatedAt: now, ExpiresAt: now.Add(matching.InvitationTTL)}
	token := newTokenWith("cgi_")
	audit(c, o.ID, "invitation.created", "invitation", inv.ID)
	if err := h.store.CreateInvitation(c.Request.Context(), inv, HashToken(token)); err != nil {
		fail(c, err)
		return
	}
	acceptURL := h.publicURL + "/invitations/" + token
	inviter := ""
	if p, ok := matching.PrincipalFrom(c.Request.Context()); ok && p.Kind == matching.PrincipalPerson {
		inviter = p.Name
	}
	h.background(func(ctx context.Context) { h.mail(ctx, email, notify.ComposeInvitation(o.Name, inviter, acceptURL)) })
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, gin.H{"invitation": Invitation{ID: inv.ID, OrganisationID: o.ID, Email: email, Role: string(role),
		CreatedAt: rfc3339(inv.CreatedAt), ExpiresAt: rfc3339(inv.ExpiresAt)}, "accept_url": acceptURL})
}

// acceptInvitation: POST /v1/invitations/{token}/accept. With a body
// {"name","password"} it makes the invited person and answers 201 with a
// session; with a person's session and no body it adds the membership to
// that person and answers 201 with their memberships.
func (h *handler) acceptInvitation(c *gin.Context) {
	ctx := c.Request.Context()
	hash := HashToken(c.Param("token"))
	who := caller(c)
	if who.PersonID != "" && c.Request.ContentLength <= 0 {
		if _, err := h.store.AcceptInvitation(ctx, hash, h.now(), nil, "", who.PersonID); err != nil {
			fail(c, invitationError(err))
			return
		}
		h.tokens.clear()
		p, ms, err := h.store.GetPerson(ctx, who.PersonID)
		if err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusCreated, gin.H{"person": toPersonJSON(p), "memberships": toMemberships(ms)})
		return
	}
	var in personIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	if in.Email != "" {
		ve := &matching.ValidationError{}
		ve.Add("email", "is the invitation's; leave it out")
		fail(c, ve)
		return
	}
	ve := &matching.ValidationError{}
	p := in.check(ve, "", false)
	if len(ve.Errors) > 0 {
		fail(c, ve)
		return
	}
	stored, err := h.passwords.Hash(ctx, in.Password)
	if err != nil {
		hashFailed(c, err)
		return
	}
	p.ID = uuid.NewString()
	p.Email, err = h.store.InvitationEmail(ctx, hash, h.now())
	if err != nil {
		fail(c, invitationError(err))
		return
	}
	p.CreatedAt = h.now()
	if _, err := h.store.AcceptInvitation(ctx, hash, h.now(), &p, stored, ""); err != nil {
		fail(c, invitationError(err))
		return
	}
	h.startSession(c, &p)
}

// invitationError words a failed acceptance.
func invitationError(err error) error {
	if errors.Is(err, matching.ErrNotFound) {
		return fmt.Errorf("%w: no such invitation; check the link", matching.ErrNotFound)
	}
	return err
}

// startSession signs p in and answers 201 with the session.
func (h *handler) startSession(c *gin.Context, p *matching.Person) {
	ctx := c.Request.Context()
	token := newTokenWith("cgs_")
	expires := h.now().Add(matching.SessionTTL)
	if err := h.store.CreateSession(ctx, uuid.NewString(), HashToken(token), p.ID, expires); err != nil {
		fail(c, err)
		return
	}
	_, ms, err := h.store.GetPerson(ctx, p.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, SessionOut{Token: token, ExpiresAt: rfc3339(expires), Person: toPersonJSON(p), Memberships: toMemberships(ms)})
}

type apiKeyIn struct {
	Name string `json:"name"`
}

// listAPIKeys: GET /v1/organisations/{id}/api-keys (admins and keys).
func (h *handler) listAPIKeys(c *gin.Context) {
	o, ok := h.orgExists(c)
	if !ok || !mustAdmin(c, o.ID, "see its API keys") {
		return
	}
	keys, err := h.store.ListAPIKeys(c.Request.Context(), o.ID)
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]APIKey, len(keys))
	for i := range keys {
		items[i] = toAPIKeyJSON(&keys[i])
	}
	c.Header("Cache-Control", "private, no-cache")
	writeTagged(c, http.StatusOK, gin.H{"items": items, "next_cursor": nil})
}

// createAPIKey: POST /v1/organisations/{id}/api-keys (admins and keys) →
// 201 with the token, shown this once.
func (h *handler) createAPIKey(c *gin.Context) {
	o, ok := h.orgExists(c)
	if !ok || !mustAdmin(c, o.ID, "make API keys") {
		return
	}
	var in apiKeyIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || len(name) > 100 {
		ve := &matching.ValidationError{}
		ve.Add("name", "is required, at most 100 characters (say what uses the key)")
		fail(c, ve)
		return
	}
	k := &matching.APIKey{ID: uuid.NewString(), OrganisationID: o.ID, Name: name, CreatedBy: caller(c).PersonID, CreatedAt: h.now()}
	token := NewToken()
	audit(c, o.ID, "api_key.created", "api_key", k.ID)
	if err := h.store.CreateAPIKey(c.Request.Context(), k, HashToken(token)); err != nil {
		fail(c, err)
		return
	}
	out := toAPIKeyJSON(k)
	out.Token = token
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, out)
}

// revokeAPIKey: DELETE /v1/organisations/{id}/api-keys/{key_id} → 204; the
// key stops working at once here and within tokenReverify everywhere.
func (h *handler) revokeAPIKey(c *gin.Context) {
	o, ok := h.orgExists(c)
	if !ok || !mustAdmin(c, o.ID, "revoke API keys") {
		return
	}
	keyID := c.Param("key_id")
	audit(c, o.ID, "api_key.revoked", "api_key", keyID)
	if err := h.store.RevokeAPIKey(c.Request.Context(), o.ID, keyID); err != nil {
		if errors.Is(err, matching.ErrNotFound) {
			err = fmt.Errorf("%w: the organisation has no such API key", matching.ErrNotFound)
		}
		fail(c, err)
		return
	}
	h.tokens.clear()
	c.Status(http.StatusNoContent)
}

// listAudit: GET /v1/organisations/{id}/audit (admins), newest first.
func (h *handler) listAudit(c *gin.Context) {
	o, ok := h.orgExists(c)
	if !ok || !mustAdmin(c, o.ID, "read its audit log") {
		return
	}
	page, limit, key, ok := idPage(c)
	if !ok {
		return
	}
	entries, err := h.store.ListAudit(c.Request.Context(), o.ID, page)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-cache")
	c.JSON(http.StatusOK, linked(c, pageOf(entries, limit, key, func(e *matching.AuditEntry) string { return e.ID }, toAuditJSON)))
}

func toAuditJSON(e *matching.AuditEntry) AuditEntry {
	return AuditEntry{ID: e.ID, Actor: AuditActor{Type: e.ActorType, ID: e.ActorID, Name: e.ActorName},
		Action: e.Action, Subject: Subject{Type: e.SubjectType, ID: e.SubjectID}, CreatedAt: rfc3339(e.CreatedAt)}
}
