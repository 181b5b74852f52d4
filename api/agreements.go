package api

import (
	"fmt"

	"github.com/gin-gonic/gin"

	"commonground/matching"
)

// agreementQuery is the query of a list of partnerships or of consortia,
// read by readAgreementQuery.
type agreementQuery struct {
	// org keeps those it is party to ("" for every one); status those in
	// one status ("" for any).
	org    string
	status matching.PartnershipStatus
	page   matching.Page
	limit  int
	key    string // the cursors' key
}

// readAgreementQuery reads status, organisation_id, limit and cursor of
// a list of kind ("partnerships", "consortia"): the caller's own, or with
// organisation_id= one organisation's (another's only for the operator:
// 403), in one status that valid accepts (400 naming statuses otherwise).
// It answers a bad query itself and reports false.
func readAgreementQuery(c *gin.Context, kind string, valid func(matching.PartnershipStatus) bool, statuses string) (agreementQuery, bool) {
	who := caller(c)
	q := c.Request.URL.Query()
	p := newQueryParser(q, "status", "organisation_id", "limit", "cursor")
	a := agreementQuery{org: who.OrganisationID, limit: p.limit(), key: queryKey(c.Request.URL.Path, q)}
	after := p.cursor(a.key, false)
	a.status = matching.PartnershipStatus(p.str("status"))
	if a.status != "" && !valid(a.status) {
		p.ve.Add("status", "unknown status %q (one of %s)", clip(string(a.status)), statuses)
	}
	if org := p.id("organisation_id"); org != "" {
		if !who.Operator && org != who.OrganisationID {
			fail(c, fmt.Errorf("%w: an organisation lists only its own %s", matching.ErrForbidden, kind))
			return a, false
		}
		a.org = org
	}
	if err := p.err(); err != nil {
		fail(c, err)
		return a, false
	}
	a.page = pageAfter(a.limit, after)
	return a, true
}
