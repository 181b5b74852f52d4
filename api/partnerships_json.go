package api

import (
	"time"

	"github.com/google/uuid"

	"commonground/matching"
)

// partnershipIn is the body of POST /v1/partnerships. The proposer is the
// caller's organisation.
type partnershipIn struct {
	PartnerID string            `json:"partner_id"`
	Purpose   string            `json:"purpose"`
	Roles     map[string]string `json:"roles"`
	Outcomes  []string          `json:"outcomes"`
	ReviewOn  string            `json:"review_on"`
}

// partnershipPatch is the body of PATCH /v1/partnerships/{id}: only the
// fields sent change; roles, when sent, replaces every role.
type partnershipPatch struct {
	Purpose  *string            `json:"purpose"`
	Roles    *map[string]string `json:"roles"`
	Outcomes *[]string          `json:"outcomes"`
	ReviewOn *string            `json:"review_on"`
}

// apply changes p by the fields the patch carries and validates the
// result; it returns a *matching.ValidationError naming every bad field.
func (in *partnershipPatch) apply(p *matching.Partnership) error {
	ve := &matching.ValidationError{}
	setString(&p.Purpose, in.Purpose)
	if in.Roles != nil {
		p.Roles = *in.Roles
		if p.Roles == nil {
			p.Roles = map[string]string{}
		}
	}
	if in.Outcomes != nil {
		p.Outcomes = orEmpty(*in.Outcomes)
	}
	if in.ReviewOn != nil {
		p.ReviewOn = parseDate(ve, "review_on", *in.ReviewOn)
	}
	mergeNew(ve, p.Validate())
	sortFieldErrors(ve)
	return ve.Err()
}

// healthCheckIn is the body of POST /v1/partnerships/{id}/health: the six
// scores, each required, and an optional comment.
type healthCheckIn struct {
	Commitment         *int   `json:"commitment"`
	ClarityOfPurpose   *int   `json:"clarity_of_purpose"`
	Coordination       *int   `json:"coordination"`
	Trust              *int   `json:"trust"`
	Communication      *int   `json:"communication"`
	ConflictResolution *int   `json:"conflict_resolution"`
	Comment            string `json:"comment"`
}

// scores are the body's scores in matching.HealthCriteria order.
func (in *healthCheckIn) scores() [matching.NumHealthCriteria]*int {
	return [matching.NumHealthCriteria]*int{in.Commitment, in.ClarityOfPurpose, in.Coordination, in.Trust,
		in.Communication, in.ConflictResolution}
}

// toHealthCheck checks the body and builds the check by orgID; it returns
// a *matching.ValidationError naming every missing or bad score.
func (in *healthCheckIn) toHealthCheck(partnershipID, orgID string, now time.Time) (*matching.HealthCheck, error) {
	ve := &matching.ValidationError{}
	h := &matching.HealthCheck{ID: uuid.Must(uuid.NewV7()).String(), PartnershipID: partnershipID, OrganisationID: orgID,
		Comment: in.Comment, CreatedAt: now}
	readScores(ve, in.scores(), &h.Scores)
	mergeNew(ve, h.Validate())
	return h, ve.Err()
}

// Partnership is the API shape of a partnership.
type Partnership struct {
	ID         string            `json:"id"`
	ProposerID string            `json:"proposer_id"`
	PartnerID  string            `json:"partner_id"`
	Status     string            `json:"status"`
	Purpose    string            `json:"purpose"`
	Roles      map[string]string `json:"roles"`
	Outcomes   []string          `json:"outcomes"`
	ReviewOn   string            `json:"review_on"`
	CreatedAt  string            `json:"created_at"`
	UpdatedAt  string            `json:"updated_at"`
	Health     PartnershipHealth `json:"health"`
	// Evaluations counts the closing evaluations posted once completed.
	Evaluations PartnershipEvaluations `json:"evaluations"`
}

// PartnershipEvaluations counts a partnership's closing evaluations (one
// a side at most) and those that scored any criterion at 2 or below: a
// completed partnership counts as a trust signal only with no low health
// check and no low evaluation.
type PartnershipEvaluations struct {
	Count int `json:"count"`
	Low   int `json:"low"`
}

// PartnershipHealth sums up a partnership's health checks: the newest
// check (null before the first), each side's newest, the criteria either
// side's newest check scored at 2 or below, how many checks there have
// been, and how many of those scored any criterion at 2 or below (a
// completed partnership counts as a trust signal in partner matching only
// when scored at least once, by a check or an evaluation, and never low).
type PartnershipHealth struct {
	Latest         *HealthCheck           `json:"latest"`
	ByOrganisation map[string]HealthCheck `json:"by_organisation"`
	Flags          []string               `json:"flags"`
	Checks         int                    `json:"checks"`
	LowChecks      int                    `json:"low_checks"`
}

// HealthCheck is the API shape of one health check.
type HealthCheck struct {
	ID                 string `json:"id"`
	PartnershipID      string `json:"partnership_id"`
	OrganisationID     string `json:"organisation_id"`
	Commitment         int    `json:"commitment"`
	ClarityOfPurpose   int    `json:"clarity_of_purpose"`
	Coordination       int    `json:"coordination"`
	Trust              int    `json:"trust"`
	Communication      int    `json:"communication"`
	ConflictResolution int    `json:"conflict_resolution"`
	Comment            string `json:"comment"`
	CreatedAt          string `json:"created_at"`
}

func toHealthCheckJSON(h *matching.HealthCheck) HealthCheck {
	s := h.Scores
	return HealthCheck{ID: h.ID, PartnershipID: h.PartnershipID, OrganisationID: h.OrganisationID,
		Commitment: s[0], ClarityOfPurpose: s[1], Coordination: s[2], Trust: s[3], Communication: s[4], ConflictResolution: s[5],
		Comment: h.Comment, CreatedAt: rfc3339(h.CreatedAt)}
}

func toPartnershipJSON(p *matching.Partnership) Partnership {
	roles := p.Roles
	if roles == nil {
		roles = map[string]string{}
	}
	out := Partnership{
		ID: p.ID, ProposerID: p.ProposerID, PartnerID: p.PartnerID, Status: string(p.Status), Purpose: p.Purpose,
		Roles: roles, Outcomes: orEmpty(p.Outcomes), ReviewOn: p.ReviewOn.UTC().Format(matching.DateLayout),
		CreatedAt: rfc3339(p.CreatedAt), UpdatedAt: rfc3339(p.UpdatedAt),
		Health: PartnershipHealth{ByOrganisation: map[string]HealthCheck{}, Flags: orEmpty(p.Health.Flags),
			Checks: p.Health.Checks, LowChecks: p.Health.LowChecks},
		Evaluations: PartnershipEvaluations{Count: p.Evaluations, Low: p.LowEvaluations},
	}
	if l := p.Health.Latest; l != nil {
		latest := toHealthCheckJSON(l)
		out.Health.Latest = &latest
	}
	for org, h := range p.Health.ByOrganisation {
		out.Health.ByOrganisation[org] = toHealthCheckJSON(&h)
	}
	return out
}
