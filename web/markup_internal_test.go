package web

import (
	"fmt"
	"html"
	"html/template"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"commonground/api"
)

// cardTemplate is the matches list as html/template writes it: the
// reference matchCards is held to.
var cardTemplate = template.Must(template.New("cards").Funcs(funcs).Parse(`{{range $m := .Matches}}
<li class="match" data-lat="{{$m.Location.Lat}}" data-lon="{{$m.Location.Lon}}" data-name="{{$m.SpaceName}}, {{$m.VenueName}}" data-href="/spaces/{{$m.SpaceID}}">
<h2><a href="/spaces/{{$m.SpaceID}}?{{$.Query}}">{{$m.SpaceName}}</a> <span class="at">at {{$m.VenueName}}</span></h2>
<p class="facts">{{stars $m.FitToDance}} <span>{{$m.FitToDance}} of 5 stars for dance</span> · <span>{{km $m.DistanceKm}} away</span> · <span>{{with $m.PricePencePerHour}}{{pounds (deref .)}} an hour{{else}}no {{$.Tier}} price listed{{end}}</span> · <span>{{if eq $m.SessionsAvailable $m.SessionsRequested}}free {{if eq $m.SessionsRequested 1}}at that time{{else}}for all {{$m.SessionsRequested}} weeks{{end}}{{else}}free for {{$m.SessionsAvailable}} of {{$m.SessionsRequested}} weeks{{end}}</span></p>
<h3 class="why">Why it fits</h3>
<ul class="reasons">{{range $m.Reasons}}<li>{{sentence (words .Detail)}}</li>{{end}}</ul>
</li>
{{end}}`))

// hostile are names a person might type, or an attacker.
var hostile = []string{"Studio 1", `<script>alert('x')</script>`, `"><img src=x onerror=alert(1)>`, "Tom & Jerry's",
	"Hall\x00Room", "ÉCOLE élan — 2", "a+b=c `tick`", "   padded   ", "semi_sprung floor", ""}

// TestMatchCardsAsTemplate: the matches written in Go read, once their
// entities are decoded, exactly as html/template writes them, and no
// name or reason gets in as markup.
func TestMatchCardsAsTemplate(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 13))
	pick := func() string { return hostile[rng.IntN(len(hostile))] }
	for round := range 200 {
		var ms []api.VenueMatch
		for range rng.IntN(5) {
			m := api.VenueMatch{SpaceID: fmt.Sprintf("0b6d5c1e-1c1a-4c8e-9d7c-%012x", rng.Int64N(1<<48)), SpaceName: pick(), VenueName: pick(),
				Location:   api.Location{Lat: 52 + rng.Float64(), Lon: rng.Float64() - 0.5},
				DistanceKm: float64(rng.IntN(30000)) / 1000, FitToDance: rng.IntN(6),
				SessionsRequested: 1 + rng.IntN(3)}
			m.SessionsAvailable = 1 + rng.IntN(m.SessionsRequested)
			if rng.IntN(3) > 0 {
				p := rng.IntN(5000)
				m.PricePencePerHour = &p
			}
			for range rng.IntN(4) {
				m.Reasons = append(m.Reasons, api.Reason{Detail: pick()})
			}
			ms = append(ms, m)
		}
		q := url.Values{"place": {pick()}, "activity": {"contemporary"}}.Encode()
		tier := pick()
		var want strings.Builder
		if err := cardTemplate.Execute(&want, map[string]any{"Matches": ms, "Query": template.URL(q), "Tier": tier}); err != nil {
			t.Fatal(err)
		}
		got := string(matchCards(ms, q, tier))
		// The template's own line breaks leave a blank line between items.
		w := strings.ReplaceAll(strings.TrimPrefix(want.String(), "\n"), "</li>\n\n", "</li>\n")
		if g, w := html.UnescapeString(got), html.UnescapeString(w); g != w {
			t.Fatalf("round %d: matchCards writes\n%s\nhtml/template writes\n%s", round, g, w)
		}
		for _, bad := range []string{"<script", "<img", "\x00", "'"} {
			if strings.Contains(got, bad) {
				t.Fatalf("round %d: %q got in as markup:\n%s", round, bad, got)
			}
		}
	}
}

// TestMatchCardsPathEscaped: a room's id is a path segment of its link,
// whatever it holds.
func TestMatchCardsPathEscaped(t *testing.T) {
	got := string(matchCards([]api.VenueMatch{{SpaceID: `a/../b?"x" y`, SpaceName: "Hall"}}, "place=Ely", "community"))
	if !strings.Contains(got, `data-href="/spaces/a%2F..%2Fb%3F%22x%22%20y"`) || !strings.Contains(got, `href="/spaces/a%2F..%2Fb%3F%22x%22%20y?place=Ely"`) {
		t.Errorf("the links do not escape the id:\n%s", got)
	}
}

// TestOptions: a select's options, escaped, with the chosen one selected.
func TestOptions(t *testing.T) {
	got := string(options([]option{{"a", "A & B"}, {`"x"`, "<X>"}, {"", "Any"}}, `"x"`))
	want := `<option value="a">A &amp; B</option><option value="&#34;x&#34;" selected>&lt;X&gt;</option><option value="">Any</option>`
	if got != want {
		t.Errorf("options:\n got %s\nwant %s", got, want)
	}
	got = string(hiddenInputs(url.Values{"place": {`Ely "north"`}, "day": {"tue"}, "x": {"not asked"}}, []string{"day", "place"}))
	want = `<input type="hidden" name="day" value="tue"><input type="hidden" name="place" value="Ely &#34;north&#34;">`
	if got != want {
		t.Errorf("hidden inputs:\n got %s\nwant %s", got, want)
	}
}
