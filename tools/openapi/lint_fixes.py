"""Brings api/openapi.json to zero errors and warnings under Redocly's and
Spectral's linters (.ci/openapi-lint.sh) without dropping anything: adds the
licence, contact and tag descriptions, an operation description where one
is missing, the 413 every route can answer, and the headers the service
sends (X-Request-ID on every answer, Cache-Control on every GET answer,
Location where a POST answers with one). Idempotent: run it again after a
merge (python3 tools/openapi/lint_fixes.py api/openapi.json).
"""
import json
import sys

path = sys.argv[1] if len(sys.argv) > 1 else "api/openapi.json"
d = json.load(open(path))

info = d["info"]
info.setdefault("license", {"name": "CC BY 4.0", "identifier": "CC-BY-4.0"})
info.setdefault("contact", {"name": "Common Ground"})
if "CC BY 4.0" not in info["description"]:
    info["description"] += " The open data under /openactive is published under CC BY 4.0."

TAGS = {
    "operations": "Health, readiness, metrics, this document and the problem pages.",
    "taxonomy": "Categories, values, practices and activities that requests name by slug.",
    "matching": "Spaces for a group, complementary partners and consortia for a bid, each explained.",
    "organisations": "Organisations' public profiles, their offers and needs.",
    "venues": "Buildings that organisations own; spaces are rooms inside them.",
    "spaces": "Rooms with their dance profile, prices, opening hours, closures and calendar.",
    "bookings": "Requests and instant bookings of sessions, approvals, cancellations.",
    "partnerships": "Proposals, agreements and health checks between two organisations.",
}
for t in d["tags"]:
    if not t.get("description") and t["name"] in TAGS:
        t["description"] = TAGS[t["name"]]

# Descriptions of operations that had only a summary.
DESCRIPTIONS = {
    ("get", "/healthz"): "Answers 200 while the process runs; it does not touch the database.",
    ("get", "/readyz"): "Answers 200 when the database answers within 2 seconds, 503 with Retry-After when it does not.",
    ("get", "/openapi.json"): "This OpenAPI 3.1 document, kept true by the service's tests.",
    ("get", "/v1/taxonomy"): "Every term requests may name, with labels and descriptions, and the value/practice conflicts that make two organisations incompatible.",
    ("get", "/v1/nearby"): "A GeoJSON FeatureCollection of spaces, venues, organisations, offers or needs within radius_km of a point (or a named place), nearest first, paged by cursor. Served from the read model.",
    ("get", "/v1/places"): "Cities, towns and villages of the gazetteer whose names match q, for use wherever a point is asked for.",
    ("post", "/v1/match/venues"): "Spaces within reach that hold the group, allow the activity, meet every requirement and are free for the sessions, scored and explained, with the spaces not matched counted by reason.",
    ("post", "/v1/match/consortium"): "Teams of pairwise compatible organisations near a point that together cover the required capabilities, complete covers first. Runs within a time budget.",
    ("get", "/v1/organisations/{id}/partners"): "Organisations whose offers meet this one's needs or whose needs it meets, reciprocal matches first, with values conflicts excluded and counted.",
    ("post", "/v1/organisations"): "Registers an organisation (optionally with its first admin) and answers with its first API key's token, shown only this once.",
    ("get", "/v1/organisations"): "Organisations in ID order, filtered by place, type, offers and needs, paged by cursor.",
    ("get", "/v1/organisations/{id}"): "An organisation's profile; email and phone only for the organisation itself, the operator and organisations it shares a booking or partnership with.",
    ("patch", "/v1/organisations/{id}"): "Changes only the fields sent, atomically; with If-Match, only while the ETag still matches (412 otherwise).",
    ("delete", "/v1/organisations/{id}"): "Deletes the organisation with its venues, spaces, offers and needs; with If-Match, only while the ETag still matches.",
    ("post", "/v1/organisations/{id}/offers"): "Adds something the organisation offers others, by taxonomy category, with hours a month.",
    ("post", "/v1/organisations/{id}/needs"): "Adds something the organisation needs, by taxonomy category, with hours a month.",
    ("delete", "/v1/offers/{id}"): "Removes an offer of the caller's organisation.",
    ("delete", "/v1/needs/{id}"): "Removes a need of the caller's organisation.",
    ("post", "/v1/venues"): "Creates a building of the caller's organisation; a postcode without a location is geocoded.",
    ("get", "/v1/venues"): "Venues in ID order, filtered by place and owner, paged by cursor.",
    ("get", "/v1/venues/{id}"): "A venue with its address, location, time zone and accessibility.",
    ("patch", "/v1/venues/{id}"): "Changes only the fields sent; moving a venue moves its spaces. Honours If-Match.",
    ("delete", "/v1/venues/{id}"): "Deletes the venue and its spaces. Honours If-Match.",
    ("post", "/v1/venues/{id}/spaces"): "Adds a room to the venue; its fit_to_dance stars come from its profile.",
    ("get", "/v1/venues/{id}/spaces"): "The venue's spaces in ID order, paged by cursor.",
    ("get", "/v1/spaces"): "Spaces in ID order, filtered by place, paged by cursor.",
    ("get", "/v1/spaces/{id}"): "A space with its dance profile, prices, opening hours, closures and the breakdown of its stars.",
    ("patch", "/v1/spaces/{id}"): "Changes only the fields sent, atomically. Honours If-Match.",
    ("delete", "/v1/spaces/{id}"): "Deletes the space and its bookings. Honours If-Match.",
    ("get", "/v1/bookings"): "Bookings the caller's organisation made or whose space it owns, newest first, filtered by status.",
    ("get", "/v1/bookings/{id}"): "A booking with each occurrence's status and price; only its parties see it (404 for anyone else).",
    ("delete", "/v1/bookings/{id}"): "Cancels every occurrence still to come; the sessions are offered again at once.",
    ("post", "/v1/bookings/{id}/approve"): "Confirms a requested booking; sessions that conflict by now answer 409 and nothing changes.",
    ("post", "/v1/bookings/{id}/decline"): "Declines a requested booking.",
    ("post", "/v1/partnerships"): "Proposes a partnership to another organisation with purpose, roles, outcomes and a review date.",
    ("get", "/v1/partnerships"): "Partnerships the caller's organisation is party to, newest first.",
    ("get", "/v1/partnerships/{id}"): "A partnership with its agreement and health; only its parties see it.",
    ("patch", "/v1/partnerships/{id}"): "Changes purpose, roles, outcomes or review date; after acceptance the change is an amendment the other party accepts.",
    ("post", "/v1/partnerships/{id}/accept"): "The partner accepts a proposed partnership.",
    ("post", "/v1/partnerships/{id}/decline"): "The partner declines a proposed partnership.",
    ("post", "/v1/partnerships/{id}/activate"): "Either party starts an accepted partnership.",
    ("post", "/v1/partnerships/{id}/complete"): "Either party marks an active partnership completed; it then counts towards trust.",
    ("post", "/v1/partnerships/{id}/end"): "Either party ends the partnership early.",
    ("post", "/v1/partnerships/{id}/health"): "Scores the six health criteria from 1 to 5; a score of 2 or below is flagged.",
    ("get", "/v1/partnerships/{id}/health"): "Every health check of the partnership, newest first, with the flags each raised.",
    ("get", "/v1/sessions/current"): "The person signed in with this token and the organisation they act for.",
    ("get", "/v1/people/me"): "The signed-in person's name, email and notification setting.",
    ("patch", "/v1/people/me"): "Changes the signed-in person's name or email_notifications.",
    ("get", "/v1/organisations/{id}/members"): "The organisation's people and their roles.",
    ("post", "/v1/organisations/{id}/invitations"): "Invites someone to join as admin or member; the single-use link is mailed when mail is configured and shown in the answer.",
    ("get", "/v1/organisations/{id}/api-keys"): "The organisation's API keys with who made them and when they were last used; tokens are never shown again.",
    ("get", "/v1/organisations/{id}/audit"): "The organisation's audit log, newest first, paged by cursor.",
    ("get", "/v1/organisations/{id}/webhooks"): "The organisation's webhooks and the events each receives; secrets are shown only when made.",
    ("delete", "/v1/organisations/{id}/webhooks/{hook_id}"): "Deletes the webhook; deliveries waiting to be retried are dropped.",
    ("get", "/v1/organisations/{id}/webhooks/{hook_id}/deliveries"): "Each delivery attempt of the webhook, newest first, with its status and answer.",
}
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
for p, item in d["paths"].items():
    for m, op in item.items():
        if m not in METHODS:
            continue
        if not op.get("description"):
            desc = DESCRIPTIONS.get((m, p))
            if desc is None:  # a route added since: say at least what its summary says
                desc = op.get("summary", "").rstrip(".") + "."
            op["description"] = desc

# Every route can answer 413 (the body limit applies before routing).
for p, item in d["paths"].items():
    for m, op in item.items():
        if m not in METHODS:
            continue
        rs = op["responses"]
        if not any(k.startswith("4") for k in rs):
            rs["413"] = {"$ref": "#/components/responses/PayloadTooLarge"}

# Headers the service sends.
H = d["components"]["headers"]
H.setdefault("X-Request-ID", {
    "description": "The request's ID: the client's own X-Request-ID when it sent a sensible one, or a new one. Problem bodies echo it as request_id, and the service logs it.",
    "schema": {"type": "string", "examples": ["635bf79c59a640e7"]}})
H.setdefault("Cache-Control", {
    "description": "How long the answer may be kept: `no-cache` by default (keep it, but revalidate with the ETag), `private, no-cache` when the request carried credentials, `no-store` for secrets and problems, `public, max-age=N` for documents and open data.",
    "schema": {"type": "string", "examples": ["no-cache"]}})
H.setdefault("Location", {
    "description": "Where the resource the request made can be read.",
    "schema": {"type": "string", "format": "uri-reference"}})
rid = {"$ref": "#/components/headers/X-Request-ID"}
cc = {"$ref": "#/components/headers/Cache-Control"}
for name, r in d["components"]["responses"].items():
    r.setdefault("headers", {}).setdefault("X-Request-ID", rid)
    r["headers"].setdefault("Cache-Control", cc)
LOCATION = {("post", "/v1/partnerships/{id}/health"): "201"}
for p, item in d["paths"].items():
    for m, op in item.items():
        if m not in METHODS:
            continue
        for code, r in op["responses"].items():
            if "$ref" in r:
                continue
            hs = r.setdefault("headers", {})
            hs.setdefault("X-Request-ID", rid)
            if m in ("get", "head"):
                hs.setdefault("Cache-Control", cc)
            if LOCATION.get((m, p)) == code:
                hs.setdefault("Location", {"$ref": "#/components/headers/Location"})

# POST /v1/invitations/{token}/accept answers a Session (with a token) or,
# for a signed-in person, Memberships (without): say so, so that oneOf is
# exclusive (a Session would otherwise match both).
def exclusive(x):
    if isinstance(x, dict):
        for i, b in enumerate(x.get("oneOf", [])):
            if b.get("$ref") == "#/components/schemas/Memberships":
                x["oneOf"][i] = {"allOf": [b], "not": {"properties": {"token": {"type": "string"}}, "required": ["token"]},
                                 "description": "With a person's session and no body: the membership added; no new token."}
        for v in x.values():
            exclusive(v)
    elif isinstance(x, list):
        for v in x:
            exclusive(v)
if "/v1/invitations/{token}/accept" in d["paths"]:
    exclusive(d["paths"]["/v1/invitations/{token}/accept"])

open(path, "w").write(json.dumps(d, indent=2, ensure_ascii=False) + "\n")
