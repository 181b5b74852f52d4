package seed

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"commonground/geo"
	"commonground/matching"
)

// counter returns an ID generator giving "id-1", "id-2", ...
func counter() func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("id-%d", n) }
}

func readExample(t *testing.T) *Dataset {
	t.Helper()
	f, err := os.Open("testdata/venues-example.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ds, err := ReadVenuesCSV(f, "org-1", nil, counter())
	if err != nil {
		t.Fatalf("ReadVenuesCSV(example): %v", err)
	}
	return ds
}

func TestReadVenuesCSVExample(t *testing.T) {
	ds := readExample(t)
	if got, want := len(ds.Venues), 6; got != want {
		t.Fatalf("got %d venues, want %d", got, want)
	}
	if got, want := len(ds.Spaces), 8; got != want {
		t.Fatalf("got %d spaces, want %d", got, want)
	}
	if len(ds.Organisations) != 0 {
		t.Errorf("got %d organisations, want none", len(ds.Organisations))
	}
	tax := Taxonomy()
	venues := map[string]*matching.Venue{}
	for i := range ds.Venues {
		v := &ds.Venues[i]
		venues[v.ID] = v
		if err := v.Validate(); err != nil {
			t.Errorf("venue %s: %v", v.Name, err)
		}
		if v.OrganisationID != "org-1" || v.Timezone != "Europe/London" {
			t.Errorf("venue %s: organisation %q, timezone %q", v.Name, v.OrganisationID, v.Timezone)
		}
	}
	for i := range ds.Spaces {
		s := &ds.Spaces[i]
		if err := s.Validate(tax); err != nil {
			t.Errorf("space %s: %v", s.Name, err)
		}
		if v := venues[s.VenueID]; v == nil || v.Location != s.Location || s.OrganisationID != "org-1" {
			t.Errorf("space %s: venue %q, location %v, organisation %q", s.Name, s.VenueID, s.Location, s.OrganisationID)
		}
	}

	hall := ds.Venues[0]
	if hall.Name != "Cottenham Village Hall" || hall.Postcode != "CB24 8SA" || hall.Address != "High Street, Cottenham" {
		t.Errorf("first venue = %q, %q, %q", hall.Name, hall.Postcode, hall.Address)
	}
	if want := geo.MustPoint(52.2866, 0.1257); hall.Location != want {
		t.Errorf("first venue at %v, want %v", hall.Location, want)
	}
	if want := (matching.Accessibility{StepFree: true, AccessibleToilet: true, Parking: true}); hall.Accessibility != want {
		t.Errorf("first venue accessibility = %+v, want %+v", hall.Accessibility, want)
	}
	room := ds.Spaces[1]
	if room.VenueID != hall.ID || room.Kind != "meeting_room" || room.Floor != "carpet" || !room.InstantBook {
		t.Errorf("committee room = venue %s, kind %q, floor %q, instant %v", room.VenueID, room.Kind, room.Floor, room.InstantBook)
	}
	if want := []string{"tap", "flamenco", "aerial"}; !reflect.DeepEqual(room.ProhibitedActivities, want) {
		t.Errorf("committee room prohibits %v, want %v", room.ProhibitedActivities, want)
	}
	if want := []matching.Price{{Tier: "community", PencePerHour: 900}, {Tier: "standard", PencePerHour: 1200}}; !reflect.DeepEqual(room.Prices, want) {
		t.Errorf("committee room prices = %v, want %v", room.Prices, want)
	}
	if got := len(room.OpeningHours); got != 5 {
		t.Errorf("committee room has %d opening periods, want 5 (mon-fri)", got)
	}
	studio := ds.Spaces[2]
	if studio.Floor != "sprung" || !studio.Mirrors || !studio.Barres || studio.FitToDance() != 5 {
		t.Errorf("Ely studio 1: floor %q, mirrors %v, barres %v, fit %d", studio.Floor, studio.Mirrors, studio.Barres, studio.FitToDance())
	}
}

func TestReadVenuesCSVDeterministic(t *testing.T) {
	a, b := readExample(t), readExample(t)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("two reads of the example differ")
	}
	// IDs are drawn venues first, in order of first appearance, then spaces.
	for i, v := range a.Venues {
		if want := fmt.Sprintf("id-%d", i+1); v.ID != want {
			t.Errorf("venue %d ID = %s, want %s", i, v.ID, want)
		}
	}
	wantVenue := []int{0, 0, 1, 1, 2, 3, 4, 5}
	for i, s := range a.Spaces {
		if want := a.Venues[wantVenue[i]].ID; s.VenueID != want {
			t.Errorf("space %d (%s) in venue %s, want %s", i, s.Name, s.VenueID, want)
		}
	}
}

const csvHeader = "venue_name,postcode,lat,lon,space_name,kind,capacity,floor_area_m2"

// TestReadVenuesCSVActivityColumns reads the columns the activity rules
// use: a field of kind outdoor is outdoors without saying so, a courtyard
// of another kind says so, loads and boards are read as written.
func TestReadVenuesCSVActivityColumns(t *testing.T) {
	in := csvHeader + ",outdoor,surface,rigging_points,tap_boards\n" +
		"Hall,CB1 1AA,52.2,0.12,Field,outdoor,50,800,,GRASS,,\n" +
		"Hall,CB1 1AA,52.2,0.12,Courtyard,other,50,200,yes,paving,,\n" +
		"Hall,CB1 1AA,52.2,0.12,Studio,studio,20,120,,,1000; 1500.5,\n" +
		"Hall,CB1 1AA,52.2,0.12,Main,hall,50,80,no,,,yes\n"
	ds, err := ReadVenuesCSV(strings.NewReader(in), "org-1", nil, counter())
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		outdoor   bool
		surface   matching.Surface
		rigging   []matching.RiggingPoint
		tapBoards bool
	}
	want := []got{{true, "grass", nil, false}, {true, "paving", nil, false},
		{false, "", []matching.RiggingPoint{{RatedLoadKg: 1000}, {RatedLoadKg: 1500.5}}, false}, {false, "", nil, true}}
	for i, s := range ds.Spaces {
		g := got{s.Outdoor, s.Surface, s.RiggingPoints, s.TapBoards}
		if !reflect.DeepEqual(g, want[i]) {
			t.Errorf("space %d (%s): got %+v, want %+v", i, s.Name, g, want[i])
		}
	}
}

func TestReadVenuesCSVErrors(t *testing.T) {
	h := csvHeader
	ok := "Hall,CB1 1AA,52.2,0.12,Main,hall,50,80"
	tests := []struct {
		name  string
		input string
		field string // a field the error must name
		text  string // and text its message must contain
	}{
		{"empty file", "", "header", "header row"},
		{"header only", h + "\n", "rows", "no data rows"},
		{"unknown column", h + ",colour\n" + ok + ",red\n", "header", `"colour"`},
		{"missing column", "venue_name,postcode,lat,lon,space_name,kind,capacity\n", "header", `"floor_area_m2"`},
		{"repeated column", h + ",LAT\n" + ok + ",52\n", "header", `"lat" appears twice`},
		{"bad capacity", h + "\nHall,CB1 1AA,52.2,0.12,Main,hall,lots,80\n", "row[2].capacity", "whole number"},
		{"zero capacity", h + "\nHall,CB1 1AA,52.2,0.12,Main,hall,0,80\n", "row[2].capacity", "between 1"},
		{"bad area", h + "\n" + ok + "\nHall,CB1 1AA,52.2,0.12,Side,hall,5,big\n", "row[3].floor_area_m2", "square metres"},
		{"lat out of range", h + "\nHall,CB1 1AA,95,0.12,Main,hall,50,80\n", "row[2].lat", "between -90 and 90"},
		{"lat not a number", h + "\nHall,CB1 1AA,north,0.12,Main,hall,50,80\n", "row[2].lat", "number"},
		{"lat missing", h + "\nHall,CB1 1AA,,0.12,Main,hall,50,80\n", "row[2].lat", "required"},
		{"unknown kind", h + "\nHall,CB1 1AA,52.2,0.12,Main,gym,50,80\n", "row[2].kind", `"gym"`},
		{"missing space name", h + "\nHall,CB1 1AA,52.2,0.12,,hall,50,80\n", "row[2].space_name", "required"},
		{"missing venue name", h + "\n,CB1 1AA,52.2,0.12,Main,hall,50,80\n", "row[2].venue_name", "required"},
		{"wrong cell count", h + "\n" + ok + ",extra\n", "row[2]", "cells"},
		{"venue disagrees", h + "\n" + ok + "\nHall,CB1 1AA,52.3,0.12,Side,hall,20,30\n", "row[3].lat", "differs from row 2"},
		{"bad quote", h + "\n" + ok + "\n\"Hall,CB1\n", "row[3]", "not valid CSV"},
		{"unknown activity", h + ",prohibited_activities\n" + ok + ",tap;moonwalk\n", "row[2].prohibited_activities", `"moonwalk"`},
		{"repeated activity", h + ",prohibited_activities\n" + ok + ",tap;TAP\n", "row[2].prohibited_activities", "twice"},
		{"bad yes/no", h + ",mirrors\n" + ok + ",maybe\n", "row[2].mirrors", "true, false"},
		{"bad venue yes/no", h + ",parking\n" + ok + ",lots\n", "row[2].parking", "true, false"},
		{"bad price", h + ",price_standard\n" + ok + ",£15\n", "row[2].price_standard", "pence"},
		{"negative price", h + ",price_community\n" + ok + ",-5\n", "row[2].price_community", "between 0"},
		{"bad hours", h + ",opening_hours\n" + ok + ",monday 9-5\n", "row[2].opening_hours", "unknown day"},
		{"backwards hours", h + ",opening_hours\n" + ok + ",mon 22:00-09:00\n", "row[2].opening_hours", "after opens"},
		{"overlapping hours", h + ",opening_hours\n" + ok + ",mon 09:00-12:00; mon 11:00-13:00\n", "row[2].opening_hours", "overlaps"},
		{"unknown timezone", h + ",timezone\n" + ok + ",Mars/Olympus\n", "row[2].timezone", "time zone"},
		{"long cell", h + "\n" + ok + "\nHall,CB1 1AA,52.2,0.12," + strings.Repeat("x", MaxCSVCell+1) + ",hall,5,10\n", "row[3].space_name", "at most"},
		{"long name", h + "\n" + strings.Repeat("v", 300) + ",CB1 1AA,52.2,0.12,Main,hall,5,10\n", "row[2].venue_name", "at most 200"},
		{"surface indoors", h + ",surface\n" + ok + ",grass\n", "row[2].surface", "outdoor spaces only"},
		{"unknown surface", h + ",surface,outdoor\n" + ok + ",sand,yes\n", "row[2].surface", `"sand"`},
		{"rigging not a number", h + ",rigging_points\n" + ok + ",heavy\n", "row[2].rigging_points", "kilograms"},
		{"negative rigging", h + ",rigging_points\n" + ok + ",1000; -5\n", "row[2].rigging_points", "more than 0"},
		{"bad tap boards", h + ",tap_boards\n" + ok + ",some\n", "row[2].tap_boards", "true, false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := ReadVenuesCSV(strings.NewReader(tt.input), "org-1", nil, counter())
			if ds != nil {
				t.Errorf("got a dataset with %d spaces, want none", len(ds.Spaces))
			}
			var ve *matching.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, matching.ErrInvalid) {
				t.Fatalf("got error %v, want a *matching.ValidationError", err)
			}
			for _, fe := range ve.Errors {
				if fe.Field == tt.field && strings.Contains(fe.Message, tt.text) {
					return
				}
			}
			t.Errorf("got %v, want field %q with %q", err, tt.field, tt.text)
		})
	}
}

func TestReadVenuesCSVReportsEveryRow(t *testing.T) {
	var b strings.Builder
	b.WriteString(csvHeader + "\n")
	b.WriteString("Hall,CB1 1AA,52.2,0.12,Main,hall,50,80\n")
	b.WriteString("Hall,CB1 1AA,,,Side,hall,x,80\n")
	b.WriteString("Barn,CB2 1AA,52.2,0.12,Loft,loft,10,20\n")
	_, err := ReadVenuesCSV(strings.NewReader(b.String()), "org-1", nil, counter())
	var ve *matching.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a validation error", err)
	}
	var got []string
	for _, fe := range ve.Errors {
		got = append(got, fe.Field)
	}
	if want := []string{"row[3].capacity", "row[4].kind"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got fields %v, want %v", got, want)
	}
}

func TestReadVenuesCSVErrorCap(t *testing.T) {
	var b strings.Builder
	b.WriteString(csvHeader + "\n")
	for range 500 {
		b.WriteString("Hall,CB1 1AA,52.2,0.12,Main,hall,none,80\n")
	}
	_, err := ReadVenuesCSV(strings.NewReader(b.String()), "org-1", nil, counter())
	var ve *matching.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a validation error", err)
	}
	if got, want := len(ve.Errors), MaxCSVErrors+1; got != want {
		t.Errorf("got %d problems, want %d", got, want)
	}
	if last := ve.Errors[len(ve.Errors)-1]; last.Field != "rows" {
		t.Errorf("last problem = %+v, want the cap on rows", last)
	}
}

func TestReadVenuesCSVHeaderSpelling(t *testing.T) {
	input := "\uFEFF Venue_Name , POSTCODE,lat,lon,space_name,kind,capacity,floor_area_m2\n" +
		"Hall,cb11aa,52.2,0.12,Main,Hall,50,80\n" +
		",,,,,,,\n" +
		"hall,CB1 1AA,,,Meeting Room,Meeting Room,12,25\n"
	ds, err := ReadVenuesCSV(strings.NewReader(input), "org-1", nil, nil)
	if err != nil {
		t.Fatalf("ReadVenuesCSV: %v", err)
	}
	if len(ds.Venues) != 1 || len(ds.Spaces) != 2 {
		t.Fatalf("got %d venues and %d spaces, want 1 and 2", len(ds.Venues), len(ds.Spaces))
	}
	if v := ds.Venues[0]; v.Postcode != "CB1 1AA" || !uuidV4.MatchString(v.ID) {
		t.Errorf("venue postcode %q, ID %q; want CB1 1AA and a random UUID", v.Postcode, v.ID)
	}
	if s := ds.Spaces[1]; s.Kind != "meeting_room" || s.Floor != "other" {
		t.Errorf("second space kind %q, floor %q; want meeting_room, other", s.Kind, s.Floor)
	}
}

func TestReadVenuesCSVNeedsOrganisation(t *testing.T) {
	_, err := ReadVenuesCSV(strings.NewReader(csvHeader+"\n"), "", nil, nil)
	if !errors.Is(err, matching.ErrInvalid) || !strings.Contains(err.Error(), "organisation_id") {
		t.Errorf("got %v, want organisation_id is required", err)
	}
}

func FuzzReadVenuesCSV(f *testing.F) {
	example, err := os.ReadFile("testdata/venues-example.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte(csvHeader + "\nHall,CB1 1AA,52.2,0.12,Main,hall,50,80\n"))
	f.Add([]byte(csvHeader + ",outdoor,surface,rigging_points,tap_boards\nHall,CB1 1AA,52.2,0.12,Yard,other,50,80,yes,paving,1000;NaN;-1,1\n"))
	tax := Taxonomy()
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := ReadVenuesCSV(bytes.NewReader(data), "org-1", tax, counter())
		if err != nil {
			var ve *matching.ValidationError
			if ds != nil || !errors.As(err, &ve) || len(ve.Errors) == 0 || len(ve.Errors) > MaxCSVErrors+1 {
				t.Fatalf("got dataset %v and error %v, want no dataset and 1 to %d problems", ds != nil, err, MaxCSVErrors+1)
			}
			return
		}
		if len(ds.Spaces) == 0 {
			t.Fatalf("success with no spaces")
		}
		venues := map[string]*matching.Venue{}
		for i := range ds.Venues {
			v := &ds.Venues[i]
			if err := v.Validate(); err != nil {
				t.Fatalf("venue %q: %v", v.Name, err)
			}
			venues[v.ID] = v
		}
		for i := range ds.Spaces {
			s := &ds.Spaces[i]
			if err := s.Validate(tax); err != nil {
				t.Fatalf("space %q: %v", s.Name, err)
			}
			if v := venues[s.VenueID]; v == nil || v.Location != s.Location {
				t.Fatalf("space %q: venue %q missing or elsewhere", s.Name, s.VenueID)
			}
		}
	})
}

func ExampleReadVenuesCSV() {
	input := `venue_name,postcode,lat,lon,space_name,kind,capacity,floor_area_m2,floor,mirrors,price_community,opening_hours
Histon Village Hall,CB24 9JE,52.2524,0.1047,Main Hall,hall,120,150,wood,no,1500,mon-fri 09:00-22:00
Histon Village Hall,CB24 9JE,,,Studio,studio,25,90,sprung,yes,2000,sat 10:00-16:00
`
	ds, err := ReadVenuesCSV(strings.NewReader(input), "org-1", nil, counter())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range ds.Spaces {
		fmt.Printf("%s: %s (%s), %d people, %d stars\n", s.VenueID, s.Name, s.Kind, s.Capacity, s.FitToDance())
	}

	_, err = ReadVenuesCSV(strings.NewReader(strings.Replace(input, "120", "many", 1)), "org-1", nil, counter())
	fmt.Println(err)
	// Output:
	// id-1: Main Hall (hall), 120 people, 1 stars
	// id-1: Studio (studio), 25 people, 4 stars
	// invalid input: row[2].capacity: must be a whole number of people
}
