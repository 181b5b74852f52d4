package api

import (
	"cmp"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"commonground/matching"
	"commonground/openactive"
	"commonground/seed"
)

// jsonFields lists the JSON names of t's fields, and those without
// omitempty.
func jsonFields(t reflect.Type) (names, always []string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
		if !strings.Contains(opts, "omitempty") {
			always = append(always, name)
		}
	}
	return names, always
}

// TestOpenAPISchemasMatchStructs holds each documented schema to the Go
// struct the handlers encode or decode with it: the same properties, and,
// for answers, every field that is always present marked required. A field
// added to one and not the other fails here.
func TestOpenAPISchemasMatchStructs(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
				Required   []string       `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		schema   string
		typ      reflect.Type
		response bool // encoded: fields without omitempty are required
	}{
		{"Space", reflect.TypeFor[Space](), true},
		{"RpdePage", reflect.TypeFor[openactive.Page](), true},
		{"RpdeItem", reflect.TypeFor[openactive.Item](), true},
		{"SpaceIn", reflect.TypeFor[spaceIn](), false},
		{"Venue", reflect.TypeFor[Venue](), true},
		{"VenueIn", reflect.TypeFor[venueIn](), false},
		{"Accessibility", reflect.TypeFor[Accessibility](), true},
		{"Price", reflect.TypeFor[Price](), true},
		{"OpeningHours", reflect.TypeFor[OpeningHours](), true},
		// Closure is also the shape sent, where reason may be left out.
		{"Closure", reflect.TypeFor[Closure](), false},
		{"Person", reflect.TypeFor[Person](), true},
		{"Membership", reflect.TypeFor[Membership](), true},
		{"Session", reflect.TypeFor[SessionOut](), true},
		{"PersonIn", reflect.TypeFor[personIn](), false},
		{"LoginIn", reflect.TypeFor[loginIn](), false},
		{"PersonPatch", reflect.TypeFor[personPatch](), false},
		{"Member", reflect.TypeFor[Member](), true},
		{"MemberPatch", reflect.TypeFor[memberPatch](), false},
		{"InvitationIn", reflect.TypeFor[invitationIn](), false},
		{"Invitation", reflect.TypeFor[Invitation](), true},
		{"APIKeyIn", reflect.TypeFor[apiKeyIn](), false},
		{"APIKey", reflect.TypeFor[APIKey](), true},
		{"PasswordResetIn", reflect.TypeFor[resetIn](), false},
		{"NewPasswordIn", reflect.TypeFor[newPasswordIn](), false},
		{"ResetAccepted", reflect.TypeFor[ResetAccepted](), true},
		{"AuditEntry", reflect.TypeFor[AuditEntry](), true},
		{"AuditActor", reflect.TypeFor[AuditActor](), true},
		{"Subject", reflect.TypeFor[Subject](), true},
		{"Notification", reflect.TypeFor[Notification](), true},
		{"Subject", reflect.TypeFor[Subject](), true},
		{"Message", reflect.TypeFor[Message](), true},
		{"MessageIn", reflect.TypeFor[messageIn](), false},
		{"Webhook", reflect.TypeFor[Webhook](), true},
		{"WebhookCreated", reflect.TypeFor[WebhookCreated](), true},
		{"WebhookIn", reflect.TypeFor[webhookIn](), false},
		{"WebhookDelivery", reflect.TypeFor[WebhookDelivery](), true},
		{"Need", reflect.TypeFor[Need](), true},
		{"NeedIn", reflect.TypeFor[needIn](), false},
		{"Window", reflect.TypeFor[Window](), true},
		{"Window", reflect.TypeFor[windowIn](), false},
		{"Period", reflect.TypeFor[Period](), true},
		{"GroupMatch", reflect.TypeFor[GroupMatch](), true},
		{"GroupResult", reflect.TypeFor[GroupResult](), true},
		{"Partnership", reflect.TypeFor[Partnership](), true},
		{"PartnershipEvaluations", reflect.TypeFor[PartnershipEvaluations](), true},
		{"PartnershipPatch", reflect.TypeFor[partnershipPatch](), false},
		{"Amendment", reflect.TypeFor[Amendment](), true},
		{"AgreementChanges", reflect.TypeFor[AgreementChanges](), true},
		{"AmendmentEnvelope", reflect.TypeFor[amendmentEnvelope](), true},
		{"AmendmentAnswer", reflect.TypeFor[AmendmentAnswer](), true},
		{"AgreementVersion", reflect.TypeFor[AgreementVersion](), true},
		{"EvaluationIn", reflect.TypeFor[evaluationIn](), false},
		{"OutcomeMet", reflect.TypeFor[outcomeMetIn](), true},
		{"Evaluation", reflect.TypeFor[Evaluation](), true},
		{"HealthCriterion", reflect.TypeFor[HealthCriterion](), true},
		{"Taxonomy", reflect.TypeFor[Taxonomy](), true},
		{"ConsortiumPartnershipIn", reflect.TypeFor[consortiumPartnershipIn](), false},
		{"ConsortiumPartnership", reflect.TypeFor[ConsortiumPartnership](), true},
		{"ConsortiumInvitee", reflect.TypeFor[ConsortiumInvitee](), true},
		{"Bid", reflect.TypeFor[Bid](), true},
		{"VenueMatchRequest", reflect.TypeFor[venueMatchIn](), false},
		{"VenueMatchResult", reflect.TypeFor[VenueMatchResult](), true},
		{"VenueMatch", reflect.TypeFor[VenueMatch](), true},
		{"PartnerMatch", reflect.TypeFor[PartnerMatch](), true},
		{"Pair", reflect.TypeFor[Pair](), true},
	} {
		t.Run(tc.schema, func(t *testing.T) {
			s, ok := doc.Components.Schemas[tc.schema]
			if !ok {
				t.Fatalf("openapi.json has no schema %s", tc.schema)
			}
			names, always := jsonFields(tc.typ)
			var props []string
			for p := range s.Properties {
				props = append(props, p)
			}
			slices.Sort(names)
			slices.Sort(props)
			for _, n := range names {
				if !slices.Contains(props, n) {
					t.Errorf("%s.%s is not in the schema's properties", tc.typ.Name(), n)
				}
			}
			for _, p := range props {
				if !slices.Contains(names, p) {
					t.Errorf("the schema's property %s is not a field of %s", p, tc.typ.Name())
				}
			}
			if !tc.response {
				return
			}
			for _, n := range always {
				if !slices.Contains(s.Required, n) {
					t.Errorf("%s.%s is always encoded but not required", tc.typ.Name(), n)
				}
			}
		})
	}
}

// TestSpaceJSONCarriesEveryField checks that every field of matching.Space
// has a field of the same name in Space, and in spaceIn unless the server
// sets it, and that every yes/no field is copied out by toSpaceJSON and in
// by apply.
func TestSpaceJSONCarriesEveryField(t *testing.T) {
	serverSet := []string{"ID", "VenueID", "OrganisationID", "Location", "CreatedAt", "UpdatedAt"}
	// negated are yes/no fields the API names for their opposite.
	negated := map[string]string{"Outdoor": "Indoor"}
	mt := reflect.TypeFor[matching.Space]()
	for i := range mt.NumField() {
		name := cmp.Or(negated[mt.Field(i).Name], mt.Field(i).Name)
		if _, ok := reflect.TypeFor[Space]().FieldByName(name); !ok {
			t.Errorf("api.Space has no field %s", name)
		}
		if _, ok := reflect.TypeFor[spaceIn]().FieldByName(name); !ok && !slices.Contains(serverSet, name) {
			t.Errorf("spaceIn has no field %s", name)
		}
	}

	s := matching.Space{Name: "Studio", Kind: "studio", Capacity: 10, FloorAreaM2: 50, Floor: matching.FloorSprung}
	var in spaceIn
	inV := reflect.ValueOf(&in).Elem()
	for i := range inV.NumField() {
		if f := inV.Field(i); f.Type() == reflect.TypeFor[*bool]() {
			f.Set(reflect.ValueOf(new(true)))
		}
	}
	if err := in.apply(&s, seed.Taxonomy(), false); err != nil {
		t.Fatal(err)
	}
	out := reflect.ValueOf(toSpaceJSON(&s))
	sv := reflect.ValueOf(s)
	for i := range mt.NumField() {
		f := mt.Field(i)
		if f.Type.Kind() != reflect.Bool {
			continue
		}
		if neg, ok := negated[f.Name]; ok {
			if sv.Field(i).Bool() || !out.FieldByName(neg).Bool() {
				t.Errorf("%s true: apply sets %s %v, toSpaceJSON copies %v", neg, f.Name, sv.Field(i).Bool(), out.FieldByName(neg).Bool())
			}
			continue
		}
		if !sv.Field(i).Bool() {
			t.Errorf("apply does not set %s", f.Name)
		}
		if o := out.FieldByName(f.Name); o.IsValid() && !o.Bool() {
			t.Errorf("toSpaceJSON does not copy %s", f.Name)
		}
	}
}
