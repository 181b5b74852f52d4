package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"commonground/api"
	"commonground/seed"
	"commonground/store"
)

// The OpenAPI document (api/openapi.json) is kept true here: it is valid
// JSON with resolvable references, it documents exactly the routes the
// router serves, and every field real responses carry is declared in the
// schema it documents for them.

// openAPIDoc is the embedded document, decoded.
func openAPIDoc(t testing.TB) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(api.OpenAPIDocument(), &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	return doc
}

// resolve follows a local JSON pointer such as #/components/schemas/Space.
func oaResolve(doc map[string]any, ref string) (any, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	var cur any = doc
	for _, tok := range strings.Split(ref[2:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[tok]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// deref follows $ref (repeatedly) from v.
func oaDeref(t testing.TB, doc map[string]any, v any) map[string]any {
	t.Helper()
	for range 10 {
		m, _ := v.(map[string]any)
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		if v, ok = oaResolve(doc, ref); !ok {
			t.Fatalf("unresolvable $ref %q", ref)
		}
	}
	t.Fatalf("$ref chain too long")
	return nil
}

var oaMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := openAPIDoc(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1") {
		t.Errorf("openapi: got %q, want 3.1.x", v)
	}
	if info, _ := doc["info"].(map[string]any); info["title"] == nil || info["version"] == nil {
		t.Errorf("info needs title and version, got %v", info)
	}

	// Every $ref resolves within the document.
	var refs int
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				refs++
				if _, ok := oaResolve(doc, ref); !ok {
					t.Errorf("%s: $ref %q does not resolve", path, ref)
				}
			}
			for k, x := range v {
				walk(path+"/"+k, x)
			}
		case []any:
			for i, x := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), x)
			}
		}
	}
	walk("#", doc)
	if refs == 0 {
		t.Error("no $ref at all: the document shares no schema")
	}

	// Every operation has a summary, a 2xx answer and errors as problems,
	// and declares each path parameter.
	schemes, _ := oaDeref(t, doc, doc["components"])["securitySchemes"].(map[string]any)
	paths, _ := doc["paths"].(map[string]any)
	param := regexp.MustCompile(`\{([^}]+)\}`)
	for path, item := range paths {
		for _, method := range oaMethods {
			o, ok := item.(map[string]any)[method].(map[string]any)
			if !ok {
				continue
			}
			what := strings.ToUpper(method) + " " + path
			if s, _ := o["summary"].(string); s == "" {
				t.Errorf("%s: no summary", what)
			}
			if _, ok := o["security"].([]any); !ok {
				t.Errorf("%s: no security (say [] for open operations)", what)
			}
			for _, req := range oaSlice(o["security"]) {
				for name := range req.(map[string]any) {
					if _, ok := schemes[name]; !ok {
						t.Errorf("%s: security scheme %q is not defined", what, name)
					}
				}
			}
			declared := map[string]bool{}
			for _, p := range oaSlice(o["parameters"]) {
				p := oaDeref(t, doc, p)
				if p["in"] == "path" {
					declared[p["name"].(string)] = true
				}
				if p["schema"] == nil {
					t.Errorf("%s: parameter %v has no schema", what, p["name"])
				}
			}
			for _, m := range param.FindAllStringSubmatch(path, -1) {
				if !declared[m[1]] {
					t.Errorf("%s: path parameter %q is not declared", what, m[1])
				}
			}
			responses, _ := o["responses"].(map[string]any)
			success := false
			for code, r := range responses {
				r := oaDeref(t, doc, r)
				if strings.HasPrefix(code, "2") {
					success = true
				}
				if code == "default" || code >= "400" {
					content, _ := r["content"].(map[string]any)
					if _, ok := content["application/problem+json"]; !ok || len(content) != 1 {
						t.Errorf("%s: response %s is not application/problem+json", what, code)
					}
				}
			}
			if !success {
				t.Errorf("%s: no 2xx response", what)
			}
		}
	}
}

func oaSlice(v any) []any { s, _ := v.([]any); return s }

// ginParam turns gin's :id into OpenAPI's {id}.
var ginParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// TestOpenAPIDocumentsEveryRoute holds the document's operations to the
// routes the router registers, both ways; and holds its security to the
// router: an operation that needs a token answers 401 without one, and an
// operation open to anonymous callers does not.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc := openAPIDoc(t)
	engine, ok := api.NewRouter(api.Config{Taxonomy: seed.Taxonomy()}).(*gin.Engine)
	if !ok {
		t.Fatal("NewRouter does not return a *gin.Engine")
	}
	var routed []string
	for _, r := range engine.Routes() {
		routed = append(routed, r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}"))
	}
	var documented []string
	for path, item := range doc["paths"].(map[string]any) {
		for _, method := range oaMethods {
			if _, ok := item.(map[string]any)[method]; ok {
				documented = append(documented, strings.ToUpper(method)+" "+path)
			}
		}
	}
	slices.Sort(routed)
	slices.Sort(documented)
	for _, r := range routed {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not documented in openapi.json", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routed, d) {
			t.Errorf("openapi.json documents %s, which is not routed", d)
		}
	}

	eachServer(t, func(t *testing.T, s *server, _ *store.DB) {
		const someID = "00000000-0000-7000-8000-000000000000"
		for _, op := range documented {
			method, path, _ := strings.Cut(op, " ")
			o := doc["paths"].(map[string]any)[path].(map[string]any)[strings.ToLower(method)].(map[string]any)
			needsToken := false
			for _, req := range oaSlice(o["security"]) {
				if len(req.(map[string]any)) == 0 { // {}: anonymous allowed
					needsToken = false
					break
				}
				needsToken = true
			}
			var body any
			if o["requestBody"] != nil {
				body = map[string]any{}
			}
			status, _, _ := s.send(t, request{method: method, path: strings.ReplaceAll(path, "{id}", someID), body: body})
			if needsToken && status != http.StatusUnauthorized {
				t.Errorf("%s: documented as needing a token, but answers %d without one", op, status)
			}
			if !needsToken && status == http.StatusUnauthorized {
				t.Errorf("%s: documented as open, but answers 401 without a token", op)
			}
		}
	})
}

func TestOpenAPIServed(t *testing.T) {
	s := newServer(t, nil)
	status, h, raw := s.send(t, request{method: "GET", path: "/openapi.json"})
	if status != http.StatusOK {
		t.Fatalf("GET /openapi.json: got %d, want 200", status)
	}
	if !bytes.Equal(raw, api.OpenAPIDocument()) {
		t.Error("GET /openapi.json does not answer the embedded document")
	}
	if ct, _, _ := mime.ParseMediaType(h.Get("Content-Type")); ct != "application/json" {
		t.Errorf("Content-Type: got %q, want application/json", h.Get("Content-Type"))
	}
	if h.Get("Cache-Control") == "" {
		t.Error("no Cache-Control")
	}
}

// TestOpenAPIResponsesMatch makes real requests and checks that every
// property of each answer is declared in the schema the document gives for
// that operation, status and media type.
func TestOpenAPIResponsesMatch(t *testing.T) {
	doc := openAPIDoc(t)
	eachServer(t, func(t *testing.T, s *server, _ *store.DB) {
		// check sends r, documented as docPath, and checks the answer has
		// status want and fits its documented schema; it returns the body.
		check := func(docPath string, want int, r request) map[string]any {
			t.Helper()
			status, h, raw := s.send(t, r)
			what := r.method + " " + r.path
			if status != want {
				t.Fatalf("%s: got status %d, want %d; body %s", what, status, want, raw)
			}
			schema := documentedSchema(t, doc, r.method, docPath, status, h.Get("Content-Type"))
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatalf("%s: body is not JSON: %v", what, err)
			}
			oaCheckDeclared(t, doc, what, "$", schema, v)
			m, _ := v.(map[string]any)
			return m
		}

		check("/healthz", 200, request{method: "GET", path: "/healthz"})
		check("/readyz", 200, request{method: "GET", path: "/readyz"})
		check("/v1/taxonomy", 200, request{method: "GET", path: "/v1/taxonomy"})
		check("/v1/places", 200, request{method: "GET", path: "/v1/places?q=Ely"})
		check("/v1/places", 400, request{method: "GET", path: "/v1/places?q="})

		reg := check("/v1/organisations", 201, request{method: "POST", path: "/v1/organisations", body: orgBody("Openapi Dance", cLat, cLon)})
		orgID := reg["organisation"].(map[string]any)["id"].(string)
		token := reg["token"].(string)
		partnerID, partnerToken := s.registerAt(t, "Openapi Youth", cLat+0.01, cLon)
		check("/v1/organisations/{id}", 200, request{method: "GET", path: "/v1/organisations/" + orgID, token: token})
		check("/v1/organisations/{id}", 200, request{method: "GET", path: "/v1/organisations/" + orgID})
		check("/v1/organisations", 200, request{method: "GET", path: fmt.Sprintf("/v1/organisations?near=%v,%v&radius_km=5", cLat, cLon), token: token})
		check("/v1/organisations/{id}/offers", 201, request{method: "POST", path: "/v1/organisations/" + orgID + "/offers", token: token,
			body: map[string]any{"category": "skill.youth-work", "description": "youth club", "hours_per_month": 2}})

		venue := check("/v1/venues", 201, request{method: "POST", path: "/v1/venues", token: token, body: venueBody("Openapi Hall", cLat, cLon)})
		venueID := venue["id"].(string)
		check("/v1/venues", 200, request{method: "GET", path: fmt.Sprintf("/v1/venues?near=%v,%v", cLat, cLon)})
		space := check("/v1/venues/{id}/spaces", 201, request{method: "POST", path: "/v1/venues/" + venueID + "/spaces", token: token, body: spaceBody("Openapi Studio")})
		spaceID := space["id"].(string)
		check("/v1/spaces/{id}", 200, request{method: "GET", path: "/v1/spaces/" + spaceID})
		check("/v1/spaces", 200, request{method: "GET", path: fmt.Sprintf("/v1/spaces?near=%v,%v&radius_km=5", cLat, cLon)})

		for _, kind := range []string{"spaces", "venues", "organisations", "offers", "needs"} {
			check("/v1/nearby", 200, request{method: "GET", path: fmt.Sprintf("/v1/nearby?lat=%v&lon=%v&radius_km=5&kind=%s", cLat, cLon, kind)})
		}

		bookingBody := map[string]any{"purpose": "class", "sessions": []any{
			map[string]any{"start": "2027-01-04T10:00:00Z", "end": "2027-01-04T11:00:00Z"},
			map[string]any{"start": "2027-01-11T10:00:00Z", "end": "2027-01-11T11:00:00Z"},
		}}
		booking := check("/v1/spaces/{id}/bookings", 201, request{method: "POST", path: "/v1/spaces/" + spaceID + "/bookings", token: partnerToken,
			body: bookingBody, header: map[string]string{"Idempotency-Key": "openapi-1"}})
		bookingID := booking["booking"].(map[string]any)["id"].(string)
		check("/v1/spaces/{id}/bookings", 409, request{method: "POST", path: "/v1/spaces/" + spaceID + "/bookings", token: token, body: bookingBody})
		check("/v1/bookings", 200, request{method: "GET", path: "/v1/bookings", token: token})
		check("/v1/bookings/{id}", 200, request{method: "GET", path: "/v1/bookings/" + bookingID, token: partnerToken})
		check("/v1/bookings/{id}", 200, request{method: "DELETE", path: "/v1/bookings/" + bookingID, token: partnerToken})

		check("/v1/match/venues", 200, request{method: "POST", path: "/v1/match/venues", body: map[string]any{
			"near": map[string]any{"lat": cLat, "lon": cLon}, "radius_km": 5, "group_size": 10, "activity": "contemporary",
			"sessions":         []any{map[string]any{"start": "2027-01-18T10:00:00Z", "end": "2027-01-18T11:00:00Z"}},
			"explain_space_id": spaceID}})
		uncounted := map[string]any{"near": map[string]any{"lat": cLat, "lon": cLon}, "radius_km": 5, "group_size": 10,
			"activity": "contemporary", "count_excluded": false, "limit": 1,
			"sessions": []any{map[string]any{"start": "2027-01-18T10:00:00Z", "end": "2027-01-18T11:00:00Z"}}}
		check("/v1/match/venues", 200, request{method: "POST", path: "/v1/match/venues", body: uncounted})
		check("/v1/match/venues", 200, request{method: "POST", path: "/v1/match/venues", body: uncounted,
			header: map[string]string{"Accept": "application/geo+json"}})
		check("/v1/match/venues", 400, request{method: "POST", path: "/v1/match/venues", body: with(uncounted, "cursor", "x")})
		check("/v1/organisations/{id}/partners", 200, request{method: "GET", path: "/v1/organisations/" + orgID + "/partners?radius_km=10"})
		check("/v1/match/consortium", 200, request{method: "POST", path: "/v1/match/consortium", body: map[string]any{
			"requirements": []string{"skill.dance-teaching", "space.dance-studio"}, "near": map[string]any{"lat": cLat, "lon": cLon}, "radius_km": 10}})

		p := check("/v1/partnerships", 201, request{method: "POST", path: "/v1/partnerships", token: token, body: map[string]any{
			"partner_id": partnerID, "purpose": "youth dance", "roles": map[string]any{orgID: "teaches", partnerID: "hosts"},
			"outcomes": []string{"30 dancers"}, "review_on": "2027-06-01"}})
		pID := p["id"].(string)
		check("/v1/partnerships/{id}/accept", 200, request{method: "POST", path: "/v1/partnerships/" + pID + "/accept", token: partnerToken})
		scores := map[string]any{"commitment": 4, "clarity_of_purpose": 5, "coordination": 2, "trust": 4, "communication": 3, "conflict_resolution": 4, "comment": "ok"}
		check("/v1/partnerships/{id}/health", 201, request{method: "POST", path: "/v1/partnerships/" + pID + "/health", token: token, body: scores})
		check("/v1/partnerships/{id}/health", 200, request{method: "GET", path: "/v1/partnerships/" + pID + "/health", token: token})
		check("/v1/partnerships/{id}", 200, request{method: "GET", path: "/v1/partnerships/" + pID, token: partnerToken})
		check("/v1/partnerships", 200, request{method: "GET", path: "/v1/partnerships", token: token})

		check("/v1/bookings/{id}/messages", 201, request{method: "POST", path: "/v1/bookings/" + bookingID + "/messages", token: partnerToken, body: map[string]any{"body": "thanks"}})
		check("/v1/bookings/{id}/messages", 200, request{method: "GET", path: "/v1/bookings/" + bookingID + "/messages", token: token})
		check("/v1/partnerships/{id}/messages", 201, request{method: "POST", path: "/v1/partnerships/" + pID + "/messages", token: token, body: map[string]any{"body": "hello"}})
		check("/v1/partnerships/{id}/messages", 400, request{method: "POST", path: "/v1/partnerships/" + pID + "/messages", token: token, body: map[string]any{"body": ""}})
		check("/v1/partnerships/{id}/messages", 200, request{method: "GET", path: "/v1/partnerships/" + pID + "/messages", token: partnerToken})
		inbox := check("/v1/notifications", 200, request{method: "GET", path: "/v1/notifications?limit=1", token: token})
		first := inbox["items"].([]any)[0].(map[string]any)["id"].(string)
		check("/v1/notifications/{id}/read", 200, request{method: "POST", path: "/v1/notifications/" + first + "/read", token: token})
		check("/v1/notifications", 400, request{method: "GET", path: "/v1/notifications", token: adminToken})

		// People and access.
		admin := map[string]any{"name": "Openapi Admin", "email": "admin@openapi.example", "password": goodPassword}
		people := check("/v1/organisations", 201, request{method: "POST", path: "/v1/organisations",
			body: with(orgBody("Openapi People", cLat, cLon), "admin", admin)})
		peopleOrg := people["organisation"].(map[string]any)["id"].(string)
		session := check("/v1/sessions", 201, request{method: "POST", path: "/v1/sessions",
			body: map[string]any{"email": "admin@openapi.example", "password": goodPassword}})["token"].(string)
		check("/v1/sessions", 401, request{method: "POST", path: "/v1/sessions", body: map[string]any{"email": "admin@openapi.example", "password": "wrong password"}})
		check("/v1/sessions/current", 200, request{method: "GET", path: "/v1/sessions/current", token: session})
		check("/v1/people/me", 200, request{method: "GET", path: "/v1/people/me", token: session})
		check("/v1/people/me", 200, request{method: "PATCH", path: "/v1/people/me", token: session, body: map[string]any{"email_notifications": false}})
		inv := check("/v1/organisations/{id}/invitations", 201, request{method: "POST", path: "/v1/organisations/" + peopleOrg + "/invitations",
			token: session, body: map[string]any{"email": "jo@openapi.example"}})
		_, invToken, _ := strings.Cut(inv["accept_url"].(string), "/invitations/")
		check("/v1/invitations/{token}/accept", 201, request{method: "POST", path: "/v1/invitations/" + invToken + "/accept",
			body: map[string]any{"name": "Jo", "password": goodPassword}})
		members := check("/v1/organisations/{id}/members", 200, request{method: "GET", path: "/v1/organisations/" + peopleOrg + "/members", token: session})
		jo := members["items"].([]any)[1].(map[string]any)["person_id"].(string)
		check("/v1/organisations/{id}/members/{person_id}", 200, request{method: "PATCH", path: "/v1/organisations/" + peopleOrg + "/members/" + jo,
			token: session, body: map[string]any{"role": "admin"}})
		key := check("/v1/organisations/{id}/api-keys", 201, request{method: "POST", path: "/v1/organisations/" + peopleOrg + "/api-keys",
			token: session, body: map[string]any{"name": "openapi"}})
		check("/v1/organisations/{id}/api-keys", 200, request{method: "GET", path: "/v1/organisations/" + peopleOrg + "/api-keys", token: session})
		check("/v1/organisations/{id}/audit", 200, request{method: "GET", path: "/v1/organisations/" + peopleOrg + "/audit", token: session})
		for _, del := range []string{"/api-keys/" + key["id"].(string), "/members/" + jo} {
			if status, _, _ := s.send(t, request{method: "DELETE", path: "/v1/organisations/" + peopleOrg + del, token: session}); status != http.StatusNoContent {
				t.Errorf("DELETE …%s: got %d, want 204", del, status)
			}
		}
		check("/v1/password-resets", 202, request{method: "POST", path: "/v1/password-resets", body: map[string]any{"email": "admin@openapi.example"}})
		check("/v1/password-resets/{token}", 404, request{method: "POST", path: "/v1/password-resets/cgr_unknown", body: map[string]any{"password": "a new password!"}})
		if status, _, _ := s.send(t, request{method: "DELETE", path: "/v1/sessions/current", token: session}); status != http.StatusNoContent {
			t.Errorf("DELETE /v1/sessions/current: got %d, want 204", status)
		}

		// Problems.
		check("/v1/spaces/{id}", 404, request{method: "GET", path: "/v1/spaces/00000000-0000-7000-8000-000000000000"})
		check("/v1/organisations", 400, request{method: "POST", path: "/v1/organisations", body: map[string]any{"name": "x", "location": map[string]any{"lat": 91, "lon": 0}}})
		check("/v1/venues", 401, request{method: "POST", path: "/v1/venues", body: venueBody("Nobody's", cLat, cLon)})
		check("/v1/venues/{id}", 403, request{method: "PATCH", path: "/v1/venues/" + venueID, token: partnerToken, body: map[string]any{"name": "Mine"}})
	})
}

// documentedSchema is the schema openapi.json gives for the answer of
// method path with status and media type contentType (falling back to the
// operation's default response).
func documentedSchema(t testing.TB, doc map[string]any, method, path string, status int, contentType string) map[string]any {
	t.Helper()
	what := method + " " + path
	item, _ := doc["paths"].(map[string]any)[path].(map[string]any)
	o, _ := item[strings.ToLower(method)].(map[string]any)
	if o == nil {
		t.Fatalf("%s is not documented", what)
	}
	responses, _ := o["responses"].(map[string]any)
	r, ok := responses[strconv.Itoa(status)]
	if !ok {
		if r, ok = responses["default"]; !ok || status < 400 {
			t.Fatalf("%s: status %d is not documented", what, status)
		}
	}
	content, _ := oaDeref(t, doc, r)["content"].(map[string]any)
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatalf("%s: bad Content-Type %q", what, contentType)
	}
	media, ok := content[mt].(map[string]any)
	if !ok {
		t.Fatalf("%s: answers %d as %s, which the document does not list (it has %v)", what, status, mt, oaKeys(content))
	}
	return oaDeref(t, doc, media["schema"])
}

func oaKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// checkDeclared fails t for every property name in v that schema does not
// declare, walking objects and arrays and following $ref, oneOf, anyOf and
// allOf. A schema may declare a map's values with additionalProperties.
func oaCheckDeclared(t testing.TB, doc map[string]any, what, at string, schema map[string]any, v any) {
	t.Helper()
	schema = oaDeref(t, doc, schema)
	switch v := v.(type) {
	case map[string]any:
		props, extra := oaObjectShape(t, doc, schema)
		if props == nil && extra == nil {
			t.Errorf("%s: %s is an object, but the document does not describe one there", what, at)
			return
		}
		for k, x := range v {
			if p, ok := props[k]; ok {
				oaCheckDeclared(t, doc, what, at+"."+k, p, x)
			} else if extra != nil {
				oaCheckDeclared(t, doc, what, at+"."+k, extra, x)
			} else {
				t.Errorf("%s: %s.%s is in the answer but not in the document", what, at, k)
			}
		}
	case []any:
		items := oaArrayItems(t, doc, schema)
		if items == nil {
			t.Errorf("%s: %s is an array, but the document does not describe one there", what, at)
			return
		}
		for i, x := range v {
			oaCheckDeclared(t, doc, what, fmt.Sprintf("%s[%d]", at, i), items, x)
		}
	}
}

// branches are schema and every schema it combines with oneOf, anyOf or
// allOf, dereferenced.
func oaBranches(t testing.TB, doc map[string]any, schema map[string]any) []map[string]any {
	out := []map[string]any{schema}
	for _, key := range []string{"oneOf", "anyOf", "allOf"} {
		for _, s := range oaSlice(schema[key]) {
			out = append(out, oaBranches(t, doc, oaDeref(t, doc, s))...)
		}
	}
	return out
}

// objectShape merges the declared properties and the additionalProperties
// schema (nil when not a schema) of every branch of schema.
func oaObjectShape(t testing.TB, doc map[string]any, schema map[string]any) (map[string]map[string]any, map[string]any) {
	var props map[string]map[string]any
	var extra map[string]any
	for _, b := range oaBranches(t, doc, schema) {
		if ps, ok := b["properties"].(map[string]any); ok {
			if props == nil {
				props = map[string]map[string]any{}
			}
			for k, p := range ps {
				props[k] = oaDeref(t, doc, p)
			}
		}
		if a, ok := b["additionalProperties"].(map[string]any); ok {
			extra = oaDeref(t, doc, a)
		}
	}
	return props, extra
}

func oaArrayItems(t testing.TB, doc map[string]any, schema map[string]any) map[string]any {
	for _, b := range oaBranches(t, doc, schema) {
		if items, ok := b["items"]; ok {
			return oaDeref(t, doc, items)
		}
	}
	return nil
}
