package api

// The partnership request bodies, exported for the fuzz tests.
type (
	PartnershipIn    = partnershipIn
	PartnershipPatch = partnershipPatch
	HealthCheckIn    = healthCheckIn
)
