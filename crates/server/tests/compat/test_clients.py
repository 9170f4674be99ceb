"""Drives a tansiq node's ecosystem APIs with third-party clients.

- yente-client (OpenSanctions' SDK) against /match, /search, /entities,
  /algorithms and /catalog, asserting on the models it parses;
- reconciler (a W3C Reconciliation API client) and the request shapes of
  the Reconciliation API 0.2 specification against /reconcile.

The node is `tansiq demo` (fictitious watchlist) started by
scripts/compat-test, which passes its URL and key in TANSIQ_URL and
TANSIQ_KEY. Plain asserts; exits non-zero on the first failure.
"""

import json
import os
import sys
import traceback

import pandas as pd
import requests
from reconciler import reconcile
from yente_client import Client, Company, Person
from yente_client.exceptions import (
    APIError,
    AuthenticationError,
    NotFoundError,
)

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
