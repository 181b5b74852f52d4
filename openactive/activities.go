package openactive

// Concept is a term of a SKOS concept scheme, as OpenActive data carries
// it in "activity".
type Concept struct {
	Type      string `json:"@type"`
	ID        string `json:"@id"`
	PrefLabel string `json:"prefLabel"`
	InScheme  string `json:"inScheme"`
}

// ActivityListScheme is the OpenActive Activity List.
const ActivityListScheme = "https://openactive.io/activity-list"

// activityList maps the taxonomy's activity slugs to concepts of the
// OpenActive Activity List (https://openactive.io/activity-list,
// CC BY 4.0), by the concept's ID and preferred label as the list's
// data/activity-list.jsonld published them on 13 May 2025. Slugs without
// a concept of the same meaning are left out: contact improvisation,
// musical theatre, heels, and inclusive dance (the list's "Para Dance" is
// a sport for wheelchair and para dancers, not the same thing). The table
// is read only here: nothing is fetched at run time.
var activityList = map[string]struct{ uuid, label string }{
	"ballet":       {"1ae7395a-27a7-4e33-9f6d-a1a6c17d0757", "Ballet"},
	"contemporary": {"19254731-5f47-4ec4-a137-6993a1af9c33", "Contemporary"},
	"tap":          {"a3245596-9505-4b4e-ac9e-db1b5e6732fb", "Tap"},
	"jazz":         {"d3bdf357-14dc-4da1-af67-9c057eb2bd7a", "Jazz"},
	"hip-hop":      {"19f95881-d3e2-4d65-87aa-8362bebdb024", "Hip Hop"},
	"street":       {"85ddf0e4-115d-4c0b-9bca-4c3b4b635bb2", "Street Dance"},
	"breaking":     {"6e5bbb26-4aa1-4ab7-947b-fa58687ab374", "Break Dance"},
	"flamenco":     {"07ba80dd-a7b6-4d4d-96e6-48aef4643a9a", "Flamenco"},
	"ballroom":     {"40c3a315-1401-4c31-a5c1-994c59a98469", "Ballroom And Latin"},
	"latin":        {"516c71ac-829e-40cf-82f9-fafa8f30f856", "Latin"},
	"salsa":        {"a454c7e6-52da-426d-9bd1-743e9d7d266d", "Salsa"},
	"lindy-hop":    {"e5ab8ce2-ee98-493e-aab7-28b6b8545c38", "Lindy Hop"},
	"folk":         {"34cabe03-72b3-4539-ac52-e69a52393330", "Folk Dance"},
	"morris":       {"7c23c208-a4da-42c5-a382-5bea008acd75", "Morris Dancing"},
	"irish":        {"0b254ccb-26bb-457c-ae68-ad6cb40b17ea", "Irish Dancing"},
	"aerial":       {"d768ed4a-6235-41d6-8dea-58466b31d913", "Aerial"},
	"yoga":         {"bf1a5e00-cdcf-465d-8c5a-6f57040b7f7e", "Yoga"},
	"pilates":      {"3a6b1c08-7aa6-48d4-9690-dca9e0133057", "Pilates"},
	"cheerleading": {"0141d752-088f-4bab-99fa-9a3d61ee5cf9", "Cheerleading"},
	"zumba":        {"78503fa2-ed24-4a80-a224-e2e94581d8a8", "Zumba®"},
	"bollywood":    {"0969ddf0-16fa-4ea1-a4f8-d2aeefb46900", "Bollywood"},
	"kathak":       {"4440651f-a659-45ac-a28e-d68d3bae438f", "Kathak"},
	"african":      {"560624c2-d64c-462a-acc3-0e6d551069e7", "African Dance"},
}

// danceConcept is the list's "Dance", the broader concept of most styles
// above: every space in the feeds is offered for dance.
var danceConcept = concept("6ca15167-51da-4d91-a1ae-8a45dc47b0ea", "Dance")

func concept(uuid, label string) Concept {
	return Concept{Type: "Concept", ID: ActivityListScheme + "#" + uuid, PrefLabel: label, InScheme: ActivityListScheme}
}

// Activity returns the Activity List concept for a taxonomy activity slug,
// and false for a slug the list has no concept for.
func Activity(slug string) (Concept, bool) {
	a, ok := activityList[slug]
	if !ok {
		return Concept{}, false
	}
	return concept(a.uuid, a.label), true
}
