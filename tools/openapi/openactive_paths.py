"""Adds the OpenActive routes and schemas to api/openapi.json; what is there
already stays as it is. Run tools/openapi/lint_fixes.py after it."""
import json, sys
p = sys.argv[1]
d = json.load(open(p))

def head_of(get, op_id):
    return {"operationId": op_id + "Head", "summary": get["summary"] + " (headers only)", "tags": get["tags"],
            "security": [], "responses": {"200": {"description": "OK", "headers": get["responses"]["200"].get("headers", {})},
                                          "default": {"$ref": "#/components/responses/Error"}},
            "description": "As GET, with the same headers and no body."}

tags = [t["name"] for t in d["tags"]]
if "open-data" not in tags:
    d["tags"].append({"name": "open-data", "description": "OpenActive open data: a dataset site and RPDE 1.0 feeds of rooms (FacilityUse) and their hours (Slot), CC BY 4.0."})

cache = {"$ref": "#/components/headers/Cache-Control"}
etag = {"$ref": "#/components/headers/ETag"}
feed_params = [
    {"name": "afterTimestamp", "in": "query", "required": False,
     "description": "The modified value of the last item already read (with afterId): the page starts after it. Whole number.",
     "schema": {"type": "integer", "minimum": 0}},
    {"name": "afterId", "in": "query", "required": False,
     "description": "The id of the last item already read (with afterTimestamp).",
     "schema": {"type": "string", "maxLength": 200}},
]
bad = {"$ref": "#/components/responses/Error"}

def feed(op_id, summary, desc):
    return {"get": {"operationId": op_id, "summary": summary, "description": desc, "tags": ["open-data"], "security": [],
                    "parameters": feed_params,
                    "responses": {"200": {"description": "One page of the feed. Cache-Control is `public, max-age=3600` for a page with items and `public, max-age=8` for the empty page at the end.",
                                          "headers": {"Cache-Control": cache, "ETag": etag},
                                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RpdePage"}}}},
                                  "400": {"description": "afterTimestamp or afterId malformed, or one given without the other.", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                                  "default": bad}}}

paths = d["paths"]
paths.setdefault("/openactive", {"get": {"operationId": "openActiveDataset", "summary": "OpenActive dataset site",
    "description": "An HTML page describing the open data, with the schema.org Dataset (its feeds, licence and publisher) as JSON-LD in a script element, as the OpenActive Dataset Site specification lays out.",
    "tags": ["open-data"], "security": [],
    "responses": {"200": {"description": "The dataset site.", "headers": {"Cache-Control": cache, "ETag": etag},
                          "content": {"text/html": {"schema": {"type": "string"}}}}, "default": bad}}})
paths.setdefault("/openactive/logo.svg", {"get": {"operationId": "openActiveLogo", "summary": "Publisher's logo",
    "description": "The logo the dataset site names for its publisher.", "tags": ["open-data"], "security": [],
    "responses": {"200": {"description": "An SVG image.", "headers": {"Cache-Control": cache, "ETag": etag},
                          "content": {"image/svg+xml": {"schema": {"type": "string"}}}}, "default": bad}}})
paths.setdefault("/openactive/facility-uses", feed("openActiveFacilityUses", "RPDE feed of rooms (FacilityUse)",
    "Every space as an OpenActive FacilityUse (name, provider, location, activities from the OpenActive Activity List, opening hours as hoursAvailable, hourly prices as offers in GBP), and every space deleted since the change log began as a deleted item. Ordered by modified (the store revision of the newest change to the space, its venue or its organisation), then id."))
paths.setdefault("/openactive/slots", feed("openActiveSlots", "RPDE feed of bookable hours (Slot)",
    "Each whole hour in a space's opening hours from now to eight weeks ahead as an OpenActive Slot: remainingUses 1 when it is free (open, not closed, not booked), 0 otherwise. modified is a time in milliseconds since 1970: the time of the space's newest change, or, for an hour that entered the window later, the time it did. Hours that stopped being slots after a change, and every hour of a deleted space, are deleted items; past slots leave the feed."))
for path in ["/openactive", "/openactive/logo.svg", "/openactive/facility-uses", "/openactive/slots"]:
    get = paths[path]["get"]
    paths[path].setdefault("head", head_of(get, get["operationId"]))

s = d["components"]["schemas"]
s.setdefault("RpdePage", {"type": "object", "description": "A page of a Realtime Paged Data Exchange 1.0 feed.",
    "required": ["next", "items", "license"],
    "properties": {
        "next": {"type": "string", "format": "uri", "description": "Absolute URL of the next page: after this page's last item, or this page's own URL when it has no items."},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/RpdeItem"}},
        "license": {"type": "string", "format": "uri", "description": "The data's licence: Creative Commons Attribution 4.0."}}})
s.setdefault("RpdeItem", {"type": "object", "description": "An RPDE item: the current state of one thing, or its deletion.",
    "required": ["state", "kind", "id", "modified"],
    "properties": {
        "state": {"type": "string", "enum": ["updated", "deleted"]},
        "kind": {"type": "string", "enum": ["FacilityUse", "FacilityUseSlot"]},
        "id": {"type": "string", "description": "The item's ID: a space's ID, or for a slot the space's ID and its start (UTC, yyyymmddThhmmZ) joined by a slash."},
        "modified": {"type": "integer", "description": "Orders the feed with id; it grows with every change to the item."},
        "data": {"type": "object", "description": "An OpenActive FacilityUse or Slot (Modelling Opportunity Data 2.0, JSON-LD); absent from deleted items."}}})

h = d["components"]["headers"]
h.setdefault("Cache-Control", {"description": "How long the answer may be kept: `no-cache` (revalidate with the ETag), `private, no-cache` for answers that depend on the caller, `no-store` for secrets and problems, `public, max-age=N` for documents and open data.",
                               "schema": {"type": "string"}})
out = json.dumps(d, indent=2, ensure_ascii=False) + "\n"
open(p, "w").write(out)
