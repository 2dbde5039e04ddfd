"""Client network policy through real Envoy: source ranges from the address Envoy saw (never a
client-claimed header) and the trusted country header for embargoed locations."""
import json

import pytest

from conftest import BASE, ROOT, Gateway, token

US = token(sub="net-user")


def gw_with(workdir, standins, tmp_path_factory, name, port, network):
    pol = json.loads((ROOT / "policies" / "default.json").read_text())
    pol["network"] = network
    p = tmp_path_factory.mktemp(name) / "policy.json"
    p.write_text(json.dumps(pol))
    return Gateway(workdir / name, standins, policy=p, port=port, admin=port + 1)


@pytest.fixture(scope="module")
def corp_only(workdir, standins, tmp_path_factory):
    g = gw_with(workdir, standins, tmp_path_factory, "gw-net-corp", BASE + 80, {"allow_cidrs": ["10.0.0.0/8"]})
    yield g
    g.stop()


@pytest.fixture(scope="module")
def geo(workdir, standins, tmp_path_factory):
    g = gw_with(workdir, standins, tmp_path_factory, "gw-net-geo", BASE + 82,
                {"allow_cidrs": ["127.0.0.0/8"], "deny_cidrs": ["127.0.0.2/32"],
                 "country_header": "x-edge-country", "deny_countries": ["KP", "IR", "CU", "SY"]})
    yield g
    g.stop()


def test_source_outside_allowed_ranges_refused(corp_only, standins):
    before = {n: len(standins.records(n)) for n in standins.ports}
    r = corp_only.chat("hello", US, headers={"x-forwarded-for": "10.1.2.3", "x-real-ip": "10.1.2.3"})
    assert r.status == 403 and r.json()["error"]["code"] == "network_denied"
    corp_only.settle()
    a = corp_only.audit()[-1]
    assert a["network_rule"] == "network.allow_cidrs" and a["client_address"].startswith("127.0.0.1:")
    assert {n: len(standins.records(n)) for n in standins.ports} == before
    r = corp_only.messages("hello", US)
    assert r.status == 403 and r.json()["type"] == "error"


def test_allowed_source_and_country(geo):
    r = geo.chat("hello", US, headers={"x-edge-country": "US"})
    assert r.status == 200, r
    geo.settle()
    assert geo.audit()[-1]["client_address"].startswith("127.0.0.1:")


def test_embargoed_country_refused(geo):
    r = geo.chat("hello", US, headers={"x-edge-country": "kp"})
    assert r.status == 403 and r.json()["error"]["code"] == "network_denied"
    geo.settle()
    assert geo.audit()[-1]["network_rule"] == "network.deny_countries KP"
