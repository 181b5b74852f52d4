package openactive_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"commonground/openactive"
	"commonground/seed"
)

// unmapped are the taxonomy's activities the OpenActive Activity List has
// no concept for.
var unmapped = map[string]bool{"musical-theatre": true, "contact-improvisation": true, "heels": true, "inclusive": true}

// The embedded table names concepts that are in the Activity List (the
// copy in testdata, as published), by their preferred labels, and maps
// every taxonomy activity but those listed as unmapped.
func TestActivitiesAreInTheList(t *testing.T) {
	raw, err := os.ReadFile("testdata/activity-list.jsonld")
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		ID      string `json:"id"`
		Concept []struct {
			ID        string `json:"id"`
			PrefLabel string `json:"prefLabel"`
		} `json:"concept"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{}
	for _, c := range list.Concept {
		labels[c.ID] = c.PrefLabel
	}
	if list.ID != openactive.ActivityListScheme || len(labels) < 500 {
		t.Fatalf("testdata holds %q with %d concepts: not the Activity List", list.ID, len(labels))
	}
	for _, a := range seed.Taxonomy().Activities {
		c, ok := openactive.Activity(a.Slug)
		if !ok {
			if !unmapped[a.Slug] {
				t.Errorf("activity %q has no concept and is not listed as unmapped", a.Slug)
			}
			continue
		}
		if unmapped[a.Slug] {
			t.Errorf("activity %q is mapped but listed as unmapped", a.Slug)
		}
		if got, ok := labels[c.ID]; !ok {
			t.Errorf("%s: concept %s is not in the list", a.Slug, c.ID)
		} else if got != c.PrefLabel {
			t.Errorf("%s: concept %s is %q in the list, %q here", a.Slug, c.ID, got, c.PrefLabel)
		}
		if c.InScheme != openactive.ActivityListScheme || c.Type != "Concept" {
			t.Errorf("%s: %+v", a.Slug, c)
		}
	}
	if _, ok := openactive.Activity("no-such-dance"); ok {
		t.Error("an unknown slug has a concept")
	}
}

func TestDatasetSite(t *testing.T) {
	site := openactive.Site{Base: "https://cg.example", Publisher: "Common Ground <&>"}
	page, err := openactive.DatasetHTML(openactive.NewDataset(site))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no JSON-LD in the page:\n%s", page)
	}
	var d map[string]any
	if err := json.Unmarshal(m[1], &d); err != nil {
		t.Fatalf("JSON-LD: %v\n%s", err, m[1])
	}
	for _, k := range []string{"@id", "@type", "url", "name", "description", "keywords", "license", "distribution",
		"discussionUrl", "documentation", "inLanguage", "publisher", "schemaVersion"} {
		if d[k] == nil {
			t.Errorf("Dataset lacks %s", k)
		}
	}
	if d["@type"] != "Dataset" || d["license"] != openactive.License {
		t.Errorf("Dataset: %v", d)
	}
	var feeds []string
	for _, x := range d["distribution"].([]any) {
		feeds = append(feeds, x.(map[string]any)["contentUrl"].(string))
	}
	if strings.Join(feeds, " ") != "https://cg.example/openactive/facility-uses https://cg.example/openactive/slots" {
		t.Errorf("feeds: %v", feeds)
	}
	if pub := d["publisher"].(map[string]any); pub["name"] != site.Publisher {
		t.Errorf("publisher name %v, want %q", pub["name"], site.Publisher)
	}
	if strings.Contains(string(page), "<&>") {
		t.Error("the publisher's name went into the page unescaped")
	}
}
