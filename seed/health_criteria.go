package seed

import "commonground/matching"

// healthCriteria are the six criteria a partnership's health is judged on
// and the questions each side asks itself before scoring one from 1
// (poor) to 5 (strong), for health checks and closing evaluations alike.
func healthCriteria() []matching.HealthCriterion {
	return []matching.HealthCriterion{
		{Slug: "commitment", Label: "Commitment", Prompts: []string{
			"Does each organisation give the partnership the time, people and money it promised?",
			"Do senior staff or trustees on both sides back the work?",
			"Would the partnership survive the person who leads it on either side leaving?",
		}},
		{Slug: "clarity_of_purpose", Label: "Clarity of purpose", Prompts: []string{
			"Could someone on each side say in a sentence what the partnership is for?",
			"Are the written outcomes still the ones both sides are working towards?",
			"Does each side know what it gains from the partnership, and what the other gains?",
		}},
		{Slug: "coordination", Label: "Coordination", Prompts: []string{
			"Does each side know who does what, as the roles in the agreement say?",
			"Are sessions, rooms, staff and materials arranged in time, without last-minute gaps?",
			"Are decisions taken where both sides can take part in them?",
		}},
		{Slug: "trust", Label: "Trust", Prompts: []string{
			"Does each side do what it says it will?",
			"Can problems and mistakes be raised without blame?",
			"Are money, credit and information shared openly?",
		}},
		{Slug: "communication", Label: "Communication", Prompts: []string{
			"Do the people doing the work talk often enough, and through channels both sides use?",
			"Does news, good or bad, reach the other side before it reaches anyone else?",
			"Do the young people, participants or audiences the partnership serves get heard?",
		}},
		{Slug: "conflict_resolution", Label: "Conflict resolution", Prompts: []string{
			"When the two sides disagree, is there an agreed way to settle it?",
			"Have disagreements so far been settled rather than left to fester?",
			"Could either side raise changing the agreement without harming the partnership?",
		}},
	}
}
