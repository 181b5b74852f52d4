package matching

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// A consortium is a partnership of several organisations formed to bid
// together for a commission: a lead, who forms it, and members, who are
// invited and each accept or decline. It moves through the partnership
// statuses (the same state machine, see Partnership.Transition), except
// that a proposed consortium is called forming: it stays forming until
// every member has accepted (then it is accepted), and a member's decline
// declines it (the lead may form another without that member). Accepted,
// it is activated, completed or ended by the lead or any member.

// SubjectConsortium is the subject type of events about a consortium.
const SubjectConsortium = "consortium"

// ConsortiumForming is a consortium's proposed status: members are still
// answering.
const ConsortiumForming PartnershipStatus = "forming"

// consortiumNames are the statuses a consortium names differently.
var consortiumNames = map[PartnershipStatus]PartnershipStatus{PartnershipProposed: ConsortiumForming}

// ConsortiumStatuses lists every status of a consortium.
var ConsortiumStatuses = []PartnershipStatus{ConsortiumForming, PartnershipAccepted, PartnershipDeclined,
	PartnershipActive, PartnershipCompleted, PartnershipEnded}

// MemberResponse is a member's answer to its invitation.
type MemberResponse string

// The member responses.
const (
	MemberInvited  MemberResponse = "invited"
	MemberAccepted MemberResponse = "accepted"
	MemberDeclined MemberResponse = "declined"
)

// Limits on a consortium.
const (
	MaxInvitedMembers    = 19 // besides the lead
	MaxConsortiumNameLen = 200
	MaxBidTitleLen       = 300
	MaxCommissionerLen   = 200
)

// Bid is the commission a consortium bids for.
type Bid struct {
	Title        string
	Commissioner string
	Deadline     time.Time // a date, midnight UTC
}

// ConsortiumInvitee is one member of a consortium (not the lead) and its
// answer.
type ConsortiumInvitee struct {
	OrganisationID string
	Response       MemberResponse
	RespondedAt    time.Time // zero while invited
}

// ConsortiumPartnership is a consortium formed for a bid.
type ConsortiumPartnership struct {
	ID      string
	Name    string
	Purpose string
	LeadID  string
	// Members are the invited organisations other than the lead (the
	// store lists them in ID order).
	Members []ConsortiumInvitee
	Status  PartnershipStatus
	// Roles is each organisation's role, keyed by organisation ID; any may
	// be left out.
	Roles     map[string]string
	Bid       Bid
	CreatedAt time.Time
	UpdatedAt time.Time
	// Health sums up the health checks recorded so far.
	Health HealthSummary
}

// IsParty reports whether orgID is the lead or a member.
func (c *ConsortiumPartnership) IsParty(orgID string) bool {
	return orgID != "" && (orgID == c.LeadID || c.member(orgID) >= 0)
}

func (c *ConsortiumPartnership) member(orgID string) int {
	return slices.IndexFunc(c.Members, func(m ConsortiumInvitee) bool { return m.OrganisationID == orgID })
}

// Parties returns the lead and the members' IDs, the lead first.
func (c *ConsortiumPartnership) Parties() []string {
	out := []string{c.LeadID}
	for _, m := range c.Members {
		out = append(out, m.OrganisationID)
	}
	return out
}

// VisibleTo reports whether a may see and act on the consortium: the
// operator, the lead and the members may; to anyone else it does not
// exist.
func (c *ConsortiumPartnership) VisibleTo(a Actor) bool {
	return a.Operator || c.IsParty(a.OrganisationID)
}

// Validate checks a consortium: a name (at most 200 characters) and a
// purpose (at most 2000); a lead and 1 to MaxInvitedMembers members,
// none of them the lead and none twice; roles only for its organisations,
// each non-empty and at most 500 characters; a bid with a title (at most
// 300), a commissioner (at most 200) and a deadline (a date, midnight
// UTC) not before the day the consortium was formed. It returns a
// *ValidationError naming every bad field by its API name.
func (c *ConsortiumPartnership) Validate() error {
	ve := &ValidationError{}
	checkRequiredText(ve, "name", c.Name, MaxConsortiumNameLen)
	checkRequiredText(ve, "purpose", c.Purpose, MaxPurposeLen)
	if c.LeadID == "" {
		ve.Add("lead_id", "is required")
	}
	switch n := len(c.Members); {
	case n == 0:
		ve.Add("member_ids", "must name at least one member besides the lead")
	case n > MaxConsortiumMembers:
		ve.Add("member_ids", "must name at most %d members besides the lead (got %d)", MaxInvitedMembers, n)
	}
	seen := map[string]bool{}
	for i, m := range c.Members {
		f := fmt.Sprintf("member_ids[%d]", i)
		switch {
		case m.OrganisationID == c.LeadID:
			ve.Add(f, "is the lead: member_ids names the other organisations")
		case seen[m.OrganisationID]:
			ve.Add(f, "names %s a second time", quote(clipField(m.OrganisationID)))
		}
		seen[m.OrganisationID] = true
	}
	for _, id := range sortedRoleKeys(c.Roles) {
		f := "roles." + clipField(id)
		if !c.IsParty(id) {
			ve.Add(f, "is not one of the consortium's organisations")
			continue
		}
		checkRequiredText(ve, f, c.Roles[id], MaxRoleLen)
	}
	checkRequiredText(ve, "bid.title", c.Bid.Title, MaxBidTitleLen)
	checkRequiredText(ve, "bid.commissioner", c.Bid.Commissioner, MaxCommissionerLen)
	switch d := c.Bid.Deadline; {
	case d.IsZero():
		ve.Add("bid.deadline", "is required (a date, YYYY-MM-DD)")
	case d.Location() != time.UTC || !d.Equal(Date(d)):
		ve.Add("bid.deadline", "must be a date (midnight UTC)")
	case d.Before(Date(c.CreatedAt)):
		ve.Add("bid.deadline", "must not be before the consortium is formed (%s)", Date(c.CreatedAt).Format(DateLayout))
	case d.After(Date(c.CreatedAt).AddDate(MaxReviewYears, 0, 0)):
		ve.Add("bid.deadline", "must be within %d years", MaxReviewYears)
	}
	return ve.Err()
}

// Incompatible returns the first pair of orgs, in their order, that may
// not work together (Taxonomy.Compatible, as consortium matching decides),
// and false when every pair may.
func Incompatible(tax *Taxonomy, orgs []*Organisation) (a, b *Organisation, found bool) {
	for i := range orgs {
		for j := i + 1; j < len(orgs); j++ {
			if !tax.Compatible(orgs[i], orgs[j]) {
				return orgs[i], orgs[j], true
			}
		}
	}
	return nil, nil, false
}

// Transition decides what an action by actor does to c, without changing
// it: the consortium's status after it, and for accept or decline the
// member answering. Accept and decline are a member's answer while the
// consortium is forming (the lead may not answer: ErrForbidden; nor the
// operator, who cannot answer for a member); a member answers once. The
// consortium becomes accepted when the last member accepts, and declined
// when any declines. Activate, complete and end are for the lead, any
// member or the operator, from the statuses a partnership allows them.
// Errors are as Partnership.Transition's.
func (c *ConsortiumPartnership) Transition(action PartnershipAction, actor Actor) (PartnershipStatus, int, error) {
	if _, ok := transitions[action]; !ok {
		return c.Status, -1, Invalid("action", "unknown action %s (one of accept, decline, activate, complete, end)", quote(string(action)))
	}
	if !c.VisibleTo(actor) {
		return c.Status, -1, fmt.Errorf("%w: no consortium %s", ErrNotFound, quote(c.ID))
	}
	i := -1
	if !actor.Operator {
		i = c.member(actor.OrganisationID)
	}
	to, err := step(action, c.Status, i >= 0, "only an invited member may %s a consortium", "consortium", consortiumNames)
	if err != nil {
		return c.Status, -1, err
	}
	if action != ActionAccept && action != ActionDecline {
		return to, -1, nil
	}
	if r := c.Members[i].Response; r != MemberInvited {
		return c.Status, -1, fmt.Errorf("%w: %s %s the invitation already", ErrConflict, quote(actor.OrganisationID), r)
	}
	if action == ActionDecline {
		return PartnershipDeclined, i, nil
	}
	for j, m := range c.Members {
		if j != i && m.Response != MemberAccepted {
			return ConsortiumForming, i, nil
		}
	}
	return PartnershipAccepted, i, nil
}

// CanRecordHealth returns nil when health checks may be recorded
// (accepted or active), and an error wrapping ErrConflict naming the
// status otherwise.
func (c *ConsortiumPartnership) CanRecordHealth() error {
	switch c.Status {
	case PartnershipAccepted, PartnershipActive:
		return nil
	}
	return fmt.Errorf("%w: health checks are recorded while a consortium is accepted or active, and this one is %s", ErrConflict, c.Status)
}

// ConsortiumStatusList names the consortium statuses, comma-separated.
func ConsortiumStatusList() string {
	s := make([]string, len(ConsortiumStatuses))
	for i, x := range ConsortiumStatuses {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}

// ValidConsortiumStatus reports whether s is one of ConsortiumStatuses.
func ValidConsortiumStatus(s PartnershipStatus) bool { return slices.Contains(ConsortiumStatuses, s) }

// ConsortiumFilter selects consortia, in ID order.
type ConsortiumFilter struct {
	Page
	// OrganisationID keeps those it leads or is a member of ("" for every
	// one).
	OrganisationID string
	// Status keeps those in one status ("" for any).
	Status PartnershipStatus
}
