"""Drives a tansiq node's ecosystem APIs with third-party clients.

- yente-client (OpenSanctions' SDK, the pinned version) against /match,
  /search, /entities (nested and adjacent), /statements, /algorithms,
  /catalog, /healthz and /readyz: every method of its Client and
  AsyncClient, asserting on the models it parses; `test_zz_method_table`
  prints each method with its result;
- reconciler (a W3C Reconciliation API client) and the request shapes of
  the Reconciliation API 0.2 specification against /reconcile, with every
  answer validated (jsonschema) against the shapes the specification
  requires, written here from its text (`SHAPES`): manifest, reconciliation results, suggest (entity, type,
  property), property proposals, data extension, preview, and CORS as a
  browser (the test bench, OpenRefine's web front end) sees it.

The node is `tansiq demo` (fictitious watchlist) started by
scripts/compat-test, which passes its URL and key in TANSIQ_URL and
TANSIQ_KEY. Plain asserts; exits non-zero when a test fails.
"""

import asyncio
import datetime
import json
import os
import sys
import traceback

import httpx
import pandas as pd
import requests
from jsonschema import Draft7Validator
from reconciler import reconcile
from yente_client import AsyncClient, Client, Company, Person
from yente_client.exceptions import (
    APIError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    TransportError,
)
from yente_client.models import AdjacentPropertyResponse, AdjacentResponse, Entity

URL = os.environ["TANSIQ_URL"].rstrip("/")
KEY = os.environ["TANSIQ_KEY"]

# Demo travellers (crates/synth/src/demo.rs) and the entry each must find.
LISTED = [
    ("khadija", Person(name="Khadija Touati", birthDate="1988-06-30", nationality="dz",
                       gender="female"), "demo-p-0005"),
    ("abdelkader", Person(name="Abdul Kader Bin Yousef", birthDate="1979-03-14",
                          nationality="dz"), "demo-p-0001"),
    ("arabic", Person(name="محمد الامين زروقي", birthDate="1986-05-02", nationality="dz"),
     "demo-p-0002"),
]
# Travellers nobody listed resembles: no result may be a match.
INNOCENT = [
    ("mohamed", Person(name="Mohamed Ali", birthDate="1991-07-02", nationality="tn",
                       gender="male")),
    ("fatma", Person(name="Fatma Zohra Saidi", birthDate="1995-02-10", nationality="dz")),
    ("bensaid", Person(name="Abdelkader Bensaid", birthDate="1968-01-15", nationality="dz")),
]


def client(**kw):
    return Client(api_key=KEY, base_url=URL, app_name="tansiq-compat-test", **kw)


def test_match_finds_listed_people():
    with client() as c:
        for key, person, expected in LISTED:
            hits = c.match(person)
            assert hits.top is not None, key
            assert hits.top.id == expected, (key, hits.top.id)
            assert hits.top.match is True, (key, hits.top.score)
            assert hits.top.score >= 0.8, (key, hits.top.score)
            assert hits.top.schema_ == "Person"
            assert hits.top.datasets == ["demo"]
            assert hits.top.target is True
            assert "name_match" in hits.top.explanations, hits.top.explanations
            assert hits.top.explanations["name_match"].score > 0.5
            assert hits.total.relation in ("eq", "gte")
            assert hits.limit == 5


def test_match_does_not_stop_innocents():
    with client() as c:
        for key, person in INNOCENT:
            hits = c.match(person)
            assert all(not r.match for r in hits.results), (
                key, [(r.id, r.score) for r in hits.results])


def test_match_parameters():
    person = LISTED[0][1]
    with client() as c:
        # threshold sets the match flag, it does not hide results.
        hits = c.match(person, threshold=0.999, algorithm="logic-v2", limit=2)
        assert hits.top is not None and hits.top.id == "demo-p-0005"
        assert hits.top.match is False, hits.top.score
        assert len(hits.results) <= 2
        # The dataset of the demo list, and one that does not exist.
        assert c.match(person, datasets=["demo"]).top.id == "demo-p-0005"
        assert c.match(person, exclude_datasets=["demo"]).results == []
        try:
            c.match(person, datasets=["no-such-list"])
            raise AssertionError("an unknown dataset must be a 404")
        except NotFoundError:
            pass
        try:
            c.match(person, weights={"name_literal": 0.5})
            raise AssertionError("weights must be refused")
        except APIError as e:  # 422: the client's generic APIError
            assert e.status_code == 422, e
        # Name parts are composed into a name.
        hits = c.match(Person(firstName="Khadidja", lastName="Touati", birthDate="1988"))
        assert hits.top is not None and hits.top.id == "demo-p-0005"
        # An organisation example is matched against organisations only.
        hits = c.match(Company(name="Imaginary Trading Holdings Ltd", jurisdiction="dz"))
        assert all(r.schema_ != "Person" for r in hits.results)


def test_match_iter_batches():
    with client() as c:
        pairs = [(k, p) for k, p, _ in LISTED] + INNOCENT
        got = dict(c.match_iter(pairs, workers=2))
        assert set(got) == {k for k, _ in pairs}
        for key, _, expected in LISTED:
            assert got[key].top.id == expected, key
        for key, _ in INNOCENT:
            assert not any(r.match for r in got[key].results), key


def test_search_fetch_catalog_algorithms():
    with client() as c:
        res = c.search("Touati", datasets=["default"], limit=5)
        assert "demo-p-0005" in [e.id for e in res.results], res
        assert res.limit == 5 and res.offset == 0
        assert res.total.value >= 1
        assert "datasets" in res.facets
        entity = c.fetch("demo-p-0005")
        assert entity.id == "demo-p-0005"
        assert entity.caption == "Khadidja Bent Mabrouk Touati"
        assert "1988-06-30" in entity.properties["birthDate"]
        try:
            c.fetch("demo-p-no-such")
            raise AssertionError("a missing entity must be a 404")
        except NotFoundError:
            pass
        algos = c.algorithms()
        assert algos.best == "tansiq" and algos.default == "tansiq"
        catalog = c.datasets()
        names = {d.name for d in catalog.datasets}
        assert {"default", "demo", "national"} <= names, names


def test_wrong_key_is_refused():
    bad = "tsq_0123456789abcdef_" + "0" * 64
    with Client(api_key=bad, base_url=URL) as c:
        try:
            c.match(LISTED[0][1])
            raise AssertionError("a wrong key must be refused")
        except AuthenticationError as e:
            assert e.status_code == 401


def test_reconciliation_manifest():
    # The manifest as the 0.2 specification requires it.
    m = requests.get(f"{URL}/reconcile", params={"api_key": KEY}, timeout=30)
    assert m.status_code == 200, m.text
    m = m.json()
    assert "0.2" in m["versions"]
    for field in ("name", "identifierSpace", "schemaSpace"):
        assert isinstance(m[field], str) and m[field], field
    assert {"id": "Person", "name": "People"} in m["defaultTypes"]
    assert m["authentication"] == {"type": "apiKey", "name": "api_key", "in": "query"}


def test_reconciliation_round_trip_with_spec_requests():
    # A query batch as the specification shows it: form field `queries`.
    queries = {
        "q0": {"query": "Khadija Touati", "type": "Person", "limit": 3,
               "properties": [{"pid": "birthDate", "v": "1988-06-30"},
                              {"pid": "nationality", "v": "dz"}]},
        "q1": {"query": "Mohamed Ali", "type": "Person"},
    }
    r = requests.post(f"{URL}/reconcile", params={"api_key": KEY},
                      data={"queries": json.dumps(queries)}, timeout=30)
    assert r.status_code == 200, r.text
    r = r.json()
    assert set(r) == {"q0", "q1"}
    for answer in r.values():
        for cand in answer["result"]:
            assert {"id", "name", "score", "match", "type"} <= set(cand), cand
    top = r["q0"]["result"][0]
    assert top["id"] == "demo-p-0005" and top["match"] is True, top
    assert top["type"][0]["id"] == "Person"
    assert not any(c["match"] for c in r["q1"]["result"]), r["q1"]


def test_reconciliation_with_reconciler_client():
    names = pd.Series(["Khadija Touati", "Abdul Kader Bin Yousef", "Mohamed Ali"])
    df = reconcile(names, type_id="Person", top_res=1,
                   reconciliation_endpoint=f"{URL}/reconcile?api_key={KEY}")
    rows = {row["input_value"]: row for _, row in df.iterrows()}
    assert rows["Khadija Touati"]["id"] == "demo-p-0005", df
    assert bool(rows["Khadija Touati"]["match"]) is True
    assert rows["Khadija Touati"]["type_id"] == "Person"
    assert rows["Abdul Kader Bin Yousef"]["id"] == "demo-p-0001", df
    assert bool(rows["Mohamed Ali"]["match"]) is False, df


# ------------------------------------------------------------------ yente: every method

# Method -> result, filled by the tests below and printed at the end.
METHODS = {}


def record(name, result):
    METHODS[name] = result


def listing_of(entity):
    """The listing nested under an entity (yente's `sanctions`)."""
    sanctions = entity.properties.get("sanctions", [])
    assert len(sanctions) == 1, entity.properties
    s = sanctions[0]
    assert isinstance(s, Entity), s
    return s


def check_times(e):
    for t in (e.first_seen, e.last_seen, e.last_change):
        assert isinstance(t, datetime.datetime) and t.tzinfo is not None, e
    assert e.first_seen <= e.last_change


def test_system_and_introspection_methods():
    with client() as c:
        assert c.user_agent.startswith("yente-client/"), c.user_agent
        record("Client.user_agent", "ok (a client-side property)")
        assert c.healthz().status == "ok"
        record("Client.healthz", "ok")
        assert c.readyz().status == "ready"
        record("Client.readyz", "ok")
        ds = c.datasets()
        demo = next(d for d in ds.datasets if d.name == "demo")
        assert demo.load and demo.entity_count and demo.version, demo
        assert "demo" in ds.current and not ds.index_stale
        record("Client.datasets", "ok")
        algos = c.algorithms()
        assert [a.name for a in algos.algorithms] == ["tansiq"]
        record("Client.algorithms", "ok")
        # programs() reads a public OpenSanctions file at an absolute URL,
        # never the node: not a call this node can answer.
        try:
            progs = c.programs()
            record("Client.programs", f"not the node: fetched {len(progs.data)} programmes "
                   "from data.opensanctions.org")
        except TransportError:
            record("Client.programs", "not the node: reads data.opensanctions.org "
                   "(unreachable here); a listing's programme is in its Sanction")
    c.close()
    record("Client.close / context manager", "ok")


def test_fetch_nested_listing_and_times():
    with client() as c:
        e = c.fetch("demo-p-0005")  # nested=True is the client's default
        assert e.id == "demo-p-0005" and e.schema_ == "Person"
        check_times(e)
        s = listing_of(e)
        assert s.schema_ == "Sanction" and s.id == "demo-p-0005-sanction"
        for p in ("program", "authority", "authorityId", "listingDate", "provisions"):
            assert s.properties.get(p), (p, s.properties)
        # A warrant, not a sanction: its provision is the action on hit.
        assert s.properties["provisions"] == ["Action on hit: specific-check"], s.properties
        assert "entity" not in s.properties  # the way back, as yente omits it
        flat = c.fetch("demo-p-0005", nested=False)
        assert "sanctions" not in flat.properties
        assert flat.last_change == e.last_change
        # The listing is an entity of its own.
        listing = c.fetch("demo-p-0005-sanction", nested=False)
        assert listing.schema_ == "Sanction" and listing.properties["entity"] == ["demo-p-0005"]
        try:
            c.fetch("demo-p-0005-nothing")
            raise AssertionError("a missing entity must be a 404")
        except NotFoundError:
            pass
    record("Client.fetch (nested=True, the default)", "ok: the listing as a Sanction "
           "under properties.sanctions; first_seen, last_seen, last_change")
    record("Client.fetch (nested=False)", "ok")


def test_adjacent():
    with client() as c:
        a = c.adjacent("demo-p-0005")
        assert isinstance(a, AdjacentResponse)
        assert a.entity.id == "demo-p-0005"
        page = a.adjacent["sanctions"]
        assert page.total.value == 1 and page.results[0].schema_ == "Sanction", page
        p = c.adjacent("demo-p-0005", prop="sanctions", limit=5, offset=0, sort=["_doc"])
        assert isinstance(p, AdjacentPropertyResponse)
        assert p.total.value == 1 and p.limit == 5 and p.results[0].id == "demo-p-0005-sanction"
        try:
            c.adjacent("demo-p-0005", prop="ownershipOwner")
            raise AssertionError("a property without adjacent entities is a 404")
        except NotFoundError:
            pass
    record("Client.adjacent", "ok")
    record("Client.adjacent (prop=)", "ok (sanctions; other properties 404: tansiq "
           "entities have no other adjacent entities)")


def test_statements_refused_with_reason():
    with client() as c:
        try:
            c.statements(canonical_id="demo-p-0005")
            raise AssertionError("/statements must be refused")
        except NotFoundError as e:
            ours = e.response.json()
            assert ours["type"] == "urn:tansiq:problem:not-supported", ours
            assert "does not serve statements" in ours["detail"], ours
    record("Client.statements", "refused (404 problem+json, as yente answers it): the "
           "node keeps whole entity versions, not per-value statements")


def test_search_scores_and_facets():
    with client() as c:
        res = c.search("Khadidja Touati", datasets=["default"], limit=5,
                       facets=["countries", "topics", "datasets"])
        top = res.results[0]
        assert top.id == "demo-p-0005", res
        check_times(top)
        raw = c._http.get("/search/default", params={"q": "Touati", "limit": 5}).json()
        assert 0 < raw["results"][0]["score"] <= 1, raw["results"][0]
        countries = {v.name: v.label for v in res.facets["countries"].values}
        assert countries.get("dz") == "Algeria", countries
        assert res.facets["countries"].label == "Countries"
        assert res.facets["datasets"].values[0].label == "List demo"
        # Filters the node has: schema, countries, datasets, exclusions.
        assert c.search("Touati", schema="Person", countries=["dz"]).results
        assert c.search("Touati", exclude_datasets=["demo"]).results == []
        # Filters it refuses, with the reason in a 4xx.
        for kwargs in ({"sort": ["first_seen:desc"]}, {"filter": ["programId:X"]},
                       {"changed_since": "2026-01-01"}):
            try:
                c.search("Touati", **kwargs)
                raise AssertionError(f"{kwargs} must be refused")
            except (BadRequestError, APIError) as e:
                assert e.status_code in (400, 422), e
    record("Client.search", "ok: scores, country names in facets (sort, filter and "
           "changed_since refused with the reason: results are ranked by score only; no "
           "per-property filter; no change-time index)")


def test_match_cutoff_and_iter_errors():
    person = LISTED[0][1]
    with client() as c:
        top = c.match(person, cutoff=0.0).top
        check_times(top)
        # yente's cutoff: a score at or below it is never returned.
        hits = c.match(person, cutoff=top.score, threshold=0.1)
        assert all(r.score > top.score for r in hits.results), hits.results
        hits = c.match(person, cutoff=top.score - 0.001)
        assert hits.top.id == top.id
        got = dict(c.match_iter([("ok", person), ("bad", Person(birthDate="1970"))],
                                on_error="collect", workers=2))
        assert got["ok"].top.id == "demo-p-0005"
        assert type(got["bad"]).__name__ == "MatchError", got["bad"]
        assert all(r.id != "demo-p-0005"
                   for r in c.match(person, exclude_entities=["demo-p-0005"]).results)
        assert c.match(person, topics=["sanction"]).results == []  # demo entries have none
        for kwargs in ({"config": {"nm_number_mismatch": 0.4}},
                       {"changed_since": "2026-01-01"}):
            try:
                c.match(person, **kwargs)
                raise AssertionError(f"{kwargs} must be refused")
            except APIError as e:
                assert e.status_code == 422, e
    record("Client.match", "ok: threshold, cutoff (score <= cutoff dropped), algorithm, "
           "limit, datasets, exclude_datasets, exclude_entities, topics; weights, config "
           "and changed_since refused (422 with the reason)")
    record("Client.match_iter", "ok (on_error=raise and collect)")


def test_async_client_every_method():
    async def run():
        async with AsyncClient(api_key=KEY, base_url=URL, app_name="tansiq-compat-test") as c:
            assert (await c.healthz()).status == "ok"
            assert (await c.readyz()).status == "ready"
            assert any(d.name == "demo" for d in (await c.datasets()).datasets)
            assert (await c.algorithms()).best == "tansiq"
            e = await c.fetch("demo-p-0005")
            assert listing_of(e).schema_ == "Sanction"
            assert (await c.adjacent("demo-p-0005")).adjacent["sanctions"].total.value == 1
            p = await c.adjacent("demo-p-0005", prop="sanctions")
            assert p.results[0].schema_ == "Sanction"
            assert (await c.search("Khadidja Touati")).results[0].id == "demo-p-0005"
            assert (await c.match(LISTED[0][1])).top.id == "demo-p-0005"
            got = {k: v async for k, v in c.match_iter([(k, p) for k, p, _ in LISTED])}
            for key, _, expected in LISTED:
                assert got[key].top.id == expected
            try:
                await c.statements(entity_id="demo-p-0005")
                raise AssertionError("/statements must be refused")
            except NotFoundError:
                pass
            try:
                await c.programs()
            except TransportError:
                pass
    asyncio.run(run())
    record("AsyncClient (every method above, async)", "ok, with the same refusals "
           "(statements) and programs() outside the node")


# ------------------------------------------------------------------ W3C Reconciliation 0.2

# The shapes the Reconciliation Service API 0.2 requires of each answer,
# written here from the specification's text (sections on the manifest,
# reconciliation queries and candidates, suggest services, data extension).
# The specification's own JSON schemas are not copied into the repo; these
# check the same required members and types.
STR = {"type": "string"}
URL_TEMPLATE = {"type": "string", "pattern": "\\{\\{id\\}\\}"}
SERVICE = {"type": "object", "required": ["service_url", "service_path"],
           "properties": {"service_url": {"type": "string", "format": "uri"},
                          "service_path": STR}}
TYPE_REF = {"type": "object", "required": ["id", "name"],
            "properties": {"id": STR, "name": STR}}
SUGGESTION = {"type": "array", "items": {
    "type": "object", "required": ["id", "name"],
    "properties": {"id": STR, "name": STR, "description": STR}}}
VALUE = {"type": "object", "minProperties": 1, "properties": {
    "str": STR, "float": {"type": "number"}, "int": {"type": "integer"},
    "bool": {"type": "boolean"}, "date": STR, "id": STR, "name": STR}}
SHAPES = {
    "manifest": {
        "type": "object",
        "required": ["versions", "name", "identifierSpace", "schemaSpace"],
        "properties": {
            "versions": {"type": "array", "items": STR, "contains": {"const": "0.2"}},
            "name": STR, "identifierSpace": STR, "schemaSpace": STR,
            "defaultTypes": {"type": "array", "items": TYPE_REF},
            "view": {"type": "object", "required": ["url"], "properties": {"url": URL_TEMPLATE}},
            "preview": {"type": "object", "required": ["url", "width", "height"],
                        "properties": {"url": URL_TEMPLATE, "width": {"type": "integer"},
                                       "height": {"type": "integer"}}},
            "suggest": {"type": "object", "properties": {
                "entity": SERVICE, "type": SERVICE, "property": SERVICE}},
            "extend": {"type": "object", "properties": {
                "propose_properties": SERVICE,
                "property_settings": {"type": "array"}}},
            "authentication": {"type": "object", "required": ["type"],
                               "properties": {"type": {"enum": ["basic", "apiKey", "oauth2"]},
                                              "name": STR, "in": {"enum": ["header", "query"]}}},
        },
    },
    "suggest-entities-response": {"type": "object", "required": ["result"],
                                  "properties": {"result": SUGGESTION}},
    "suggest-types-response": {"type": "object", "required": ["result"],
                               "properties": {"result": SUGGESTION}},
    "suggest-properties-response": {"type": "object", "required": ["result"],
                                    "properties": {"result": SUGGESTION}},
    "data-extension-property-proposal": {
        "type": "object", "required": ["properties"],
        "properties": {"type": STR, "properties": {"type": "array", "items": TYPE_REF}}},
    "reconciliation-query-batch": {"type": "object", "additionalProperties": {
        "type": "object", "required": ["query"],
        "properties": {"query": STR, "type": STR, "limit": {"type": "integer"},
                       "type_strict": {"enum": ["any", "all", "should"]},
                       "properties": {"type": "array", "items": {
                           "type": "object", "required": ["pid", "v"]}}}}},
    "reconciliation-result-batch": {"type": "object", "additionalProperties": {
        "type": "object", "required": ["result"],
        "properties": {"result": {"type": "array", "items": {
            "type": "object", "required": ["id", "name", "score", "match"],
            "properties": {"id": STR, "name": STR, "score": {"type": "number"},
                           "match": {"type": "boolean"},
                           "type": {"type": "array", "items": TYPE_REF}}}}}}},
    "data-extension-query": {
        "type": "object", "required": ["ids", "properties"],
        "properties": {"ids": {"type": "array", "items": STR},
                       "properties": {"type": "array", "items": {
                           "type": "object", "required": ["id"],
                           "properties": {"id": STR, "settings": {"type": "object"}}}}}},
    "data-extension-response": {
        "type": "object", "required": ["meta", "rows"],
        "properties": {
            "meta": {"type": "array", "items": {
                "type": "object", "required": ["id", "name"],
                "properties": {"id": STR, "name": STR, "type": TYPE_REF}}},
            "rows": {"type": "object", "additionalProperties": {
                "type": "object", "additionalProperties": {"type": "array", "items": VALUE}}}}},
}


def validate(name, instance):
    errors = list(Draft7Validator(SHAPES[name]).iter_errors(instance))
    assert not errors, (name, [e.message for e in errors], instance)


def recon_get(path, **params):
    r = requests.get(f"{URL}{path}", params={"api_key": KEY, **params}, timeout=30)
    assert r.status_code == 200, (path, r.status_code, r.text)
    return r


def test_reconciliation_services_have_the_specification_shapes():
    m = recon_get("/reconcile").json()
    validate("manifest", m)
    # Every service the manifest advertises answers, as the schemas say.
    assert "{{id}}" in m["view"]["url"] and "{{id}}" in m["preview"]["url"]

    def service(kind, **params):
        s = m["suggest"][kind]
        return requests.get(s["service_url"] + s["service_path"],
                            params={"api_key": KEY, **params}, timeout=30).json()

    entities = service("entity", prefix="Khadidja Touati")
    validate("suggest-entities-response", entities)
    assert entities["result"][0]["id"] == "demo-p-0005", entities
    validate("suggest-types-response", service("type", prefix="Pers"))
    props = service("property", prefix="birth")
    validate("suggest-properties-response", props)
    assert props["result"][0]["id"] == "birthDate"
    pp = m["extend"]["propose_properties"]
    proposal = requests.get(pp["service_url"] + pp["service_path"],
                            params={"api_key": KEY, "type": "Person"}, timeout=30).json()
    validate("data-extension-property-proposal", proposal)
    # A reconciliation batch, then a data extension of what it found.
    queries = {"q0": {"query": "Khadija Touati", "type": "Person",
                      "properties": [{"pid": "birthDate", "v": "1988-06-30"}]},
               "q1": {"query": "Mohamed Ali"}}
    validate("reconciliation-query-batch", queries)
    results = requests.post(f"{URL}/reconcile", params={"api_key": KEY},
                            data={"queries": json.dumps(queries)}, timeout=30).json()
    validate("reconciliation-result-batch", results)
    found = results["q0"]["result"][0]["id"]
    extend = {"ids": [found, "demo-p-nothing"],
              "properties": [{"id": p["id"]} for p in proposal["properties"][:8]]
              + [{"id": "program"}, {"id": "provisions"}]}
    validate("data-extension-query", extend)
    ext = requests.post(f"{URL}/reconcile", params={"api_key": KEY},
                        data={"extend": json.dumps(extend)}, timeout=30).json()
    validate("data-extension-response", ext)
    assert ext["rows"][found]["birthDate"] == [{"str": "1988-06-30"}], ext["rows"][found]
    assert all(v == [] for v in ext["rows"]["demo-p-nothing"].values())
    # The preview a frame shows.
    url = m["preview"]["url"].replace("{{id}}", found)
    r = requests.get(url, params={"api_key": KEY}, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), r
    assert "Touati" in r.text


def test_reconciliation_cors_as_a_browser_sees_it():
    origin = "https://openrefine.example.org"
    # The test bench's first call: the manifest by a plain cross-origin GET.
    r = requests.get(f"{URL}/reconcile", params={"api_key": KEY},
                     headers={"Origin": origin}, timeout=30)
    assert r.headers.get("access-control-allow-origin") == "*", r.headers
    # A call with a key header is preflighted.
    pre = requests.options(f"{URL}/reconcile", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"}, timeout=30)
    assert pre.status_code in (200, 204), pre
    assert "POST" in pre.headers["access-control-allow-methods"]
    assert "authorization" in pre.headers["access-control-allow-headers"].lower()
    # Not the node's own API.
    pre = requests.options(f"{URL}/v1/screen", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST"}, timeout=30)
    assert "access-control-allow-origin" not in pre.headers
    # And CORS is no key: without one, 401.
    r = requests.post(f"{URL}/reconcile", data={"queries": "{}"},
                      headers={"Origin": origin}, timeout=30)
    assert r.status_code == 401


def test_zz_method_table():
    """Prints every method of the pinned yente-client with its result."""
    expected = {
        "Client.user_agent", "Client.healthz", "Client.readyz", "Client.datasets",
        "Client.algorithms", "Client.programs", "Client.statements",
        "Client.fetch (nested=True, the default)", "Client.fetch (nested=False)",
        "Client.adjacent", "Client.adjacent (prop=)", "Client.search", "Client.match",
        "Client.match_iter", "Client.close / context manager",
        "AsyncClient (every method above, async)",
    }
    missing = expected - set(METHODS)
    assert not missing, missing
    print("  yente-client methods:")
    for name in sorted(METHODS):
        print(f"    {name}: {METHODS[name]}")


def main():
    tests = [(n, f) for n, f in sorted(globals().items()) if n.startswith("test_")]
    failed = 0
    for name, fn in tests:
        try:
            fn()
            print(f"ok     {name}")
        except Exception:
            failed += 1
            print(f"FAILED {name}")
            traceback.print_exc()
    print(f"{len(tests) - failed} of {len(tests)} client tests passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
