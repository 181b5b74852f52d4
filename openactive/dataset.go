package openactive

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"html/template"
	"time"
)

// SchemaVersion is the version of the Modelling Opportunity Data
// specification the feeds follow.
const SchemaVersion = "https://openactive.io/modelling-opportunity-data/2.0/"

// rpdeFormat is the media type of an RPDE 1.0 feed, as dataset sites name it.
const rpdeFormat = "application/vnd.openactive.rpde+json; version=1"

// Dataset is the JSON-LD description of the open data (a schema.org
// Dataset, as the OpenActive Dataset Site specification lays it out).
type Dataset struct {
	Context       []string       `json:"@context"`
	Type          string         `json:"@type"`
	ID            string         `json:"@id"`
	URL           string         `json:"url"`
	Name          string         `json:"name"`
	Description   string         `json:"description"`
	Keywords      []string       `json:"keywords"`
	License       string         `json:"license"`
	Distribution  []DataDownload `json:"distribution"`
	DiscussionURL string         `json:"discussionUrl"`
	Documentation string         `json:"documentation"`
	InLanguage    []string       `json:"inLanguage"`
	Publisher     Publisher      `json:"publisher"`
	SchemaVersion string         `json:"schemaVersion"`
	DatePublished string         `json:"datePublished,omitempty"`
	DateModified  string         `json:"dateModified,omitempty"`
}

// Publisher is the organisation that publishes a Dataset.
type Publisher struct {
	Type      string      `json:"@type"`
	ID        string      `json:"@id"`
	Name      string      `json:"name"`
	LegalName string      `json:"legalName"`
	URL       string      `json:"url"`
	Logo      ImageObject `json:"logo"`
}

// ImageObject is a picture on the web.
type ImageObject struct {
	Type string `json:"@type"`
	URL  string `json:"url"`
}

// Logo is the publisher's logo, served beside the dataset site.
//
//go:embed logo.svg
var Logo []byte

// DataDownload is one feed of a Dataset.
type DataDownload struct {
	Type           string `json:"@type"`
	Name           string `json:"name"`
	AdditionalType string `json:"additionalType"`
	EncodingFormat string `json:"encodingFormat"`
	ContentURL     string `json:"contentUrl"`
	Identifier     string `json:"identifier"`
}

// Site says who publishes the data and where.
type Site struct {
	// Base is where the service is reached, absolute, without a trailing
	// slash: the feeds are under Base/openactive.
	Base string
	// Publisher is the organisation that runs the service.
	Publisher string
	// Modified is when the data last changed (zero: not said).
	Modified time.Time
}

// NewDataset describes the feeds of site.
func NewDataset(site Site) Dataset {
	home := site.Base + "/openactive"
	d := Dataset{
		Context: []string{"https://schema.org/", contextURL},
		Type:    "Dataset", ID: home, URL: home,
		Name: site.Publisher + " rooms for dance",
		Description: "Rooms across the county that organisations offer for hire, fit for dance: each room " +
			"as a FacilityUse with its opening hours, activities and hourly prices, and its free and " +
			"booked hours for the next eight weeks as Slots.",
		Keywords:      []string{"Dance", "Rooms", "Studios", "Halls", "Facility hire", "Cambridgeshire"},
		License:       License,
		DiscussionURL: site.Base + "/openapi.json",
		Documentation: "https://permalink.openactive.io/dataset-site/open-data-documentation",
		InLanguage:    []string{"en-GB"},
		Publisher: Publisher{Type: "Organization", ID: site.Base, Name: site.Publisher, LegalName: site.Publisher, URL: site.Base,
			Logo: ImageObject{Type: "ImageObject", URL: home + "/logo.svg"}},
		SchemaVersion: SchemaVersion,
		Distribution: []DataDownload{
			{Type: "DataDownload", Name: "FacilityUse", AdditionalType: "https://openactive.io/FacilityUse",
				EncodingFormat: rpdeFormat, ContentURL: home + "/facility-uses", Identifier: "FacilityUse"},
			{Type: "DataDownload", Name: "Slot for FacilityUse", AdditionalType: "https://openactive.io/Slot",
				EncodingFormat: rpdeFormat, ContentURL: home + "/slots", Identifier: "FacilityUseSlot"},
		},
	}
	if !site.Modified.IsZero() {
		d.DateModified = site.Modified.UTC().Format(time.RFC3339)
	}
	return d
}

var datasetPage = template.Must(template.New("dataset").Parse(`<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.D.Name}}</title>
<script type="application/ld+json">
{{.JSON}}
</script>
</head>
<body>
<main>
<h1>{{.D.Name}}</h1>
<p>{{.D.Description}}</p>
<p>Published by {{.D.Publisher.Name}} as OpenActive open data (Modelling Opportunity Data 2.0 in
Realtime Paged Data Exchange 1.0 feeds), under the
<a href="{{.D.License}}">Creative Commons Attribution 4.0</a> licence.</p>
<h2>Feeds</h2>
<ul>
{{range .D.Distribution}}<li><a href="{{.ContentURL}}">{{.Name}}</a> ({{.EncodingFormat}})</li>
{{end}}</ul>
<p><a href="{{.D.Documentation}}">How to use OpenActive open data</a></p>
</main>
</body>
</html>
`))

// DatasetHTML renders the dataset site: an HTML page that carries d as
// JSON-LD in its head.
func DatasetHTML(d Dataset) ([]byte, error) {
	js, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	// html/template escapes JSON inside a script element as JavaScript;
	// JSON-LD must stay JSON, so it goes in as template.JS after
	// encoding/json has escaped <, > and & (no "</script>" can appear).
	err = datasetPage.Execute(&b, struct {
		D    Dataset
		JSON template.JS
	}{d, template.JS(js)})
	return b.Bytes(), err
}
