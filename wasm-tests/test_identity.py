"""Identity: real signed tokens through Envoy's jwt_authn and the filter. Each refusal asserts the
status, the error body shape, the audit record, and that nothing reached any upstream."""
import base64
import json

import pytest

from conftest import BASE, ROOT, Gateway, token

ITAR = "ITAR CONTROLLED: This document contains technical data. Fin actuator torque 24 Nm, bolt circle 8 x M8."
SECRET = "SECRET//NOFORN\n(S//NF) Battery relocation schedule follows."
TS_SI_TK = "TOP SECRET//SI/TK//NOFORN\n(TS//SI/TK//NF) Collection summary."


@pytest.fixture(scope="module")
def cgw(workdir, standins, tmp_path_factory):
    """A gateway whose onprem destination is approved up to TOP SECRET (test policy), so clearance
    and compartment checks can be seen allowing as well as refusing."""
    pol = json.loads((ROOT / "policies" / "default.json").read_text())
    pol["destinations"]["onprem"]["max_classification"] = "TOP SECRET"
    pol["signals"] += [{"id": "t_sci_tk", "regex": r"//\s*(?:SI\s*/\s*)?TK\b"}]
    pol["rules"] += [{"id": "t.sci.tk", "label": "CLASSIFIED", "level": "TOP SECRET", "tag": "TK", "signal": "t_sci_tk"}]
    p = tmp_path_factory.mktemp("pol") / "classified-onprem.json"
    p.write_text(json.dumps(pol))
    g = Gateway(workdir / "gw-classified", standins, policy=p, port=BASE + 40, admin=BASE + 41)
    yield g
    g.stop()


def refused(r, fresh, status, code, provider="openai"):
    assert r.status == status, r
    body = r.json()
    if provider == "openai":
        assert body["error"]["code"] == code and set(body["error"]) >= {"message", "type", "code"}
    else:
        assert body["type"] == "error" and body["error"]["code"] == code
    assert fresh.new_bodies() == "", "a refused request reached an upstream"
    [a] = fresh.audit()
    assert a["response_status"] == status and a["reason"] == code
    return body, a


def msg(body):
    return body["error"]["message"]


def test_us_person_reaches_controlled_path(gateway, fresh):
    r = gateway.chat(ITAR, token(sub="alice"))
    assert r.status == 200, r
    assert r.headers["x-itar-destination"] == "usgov"
    assert "Fin actuator" in fresh.new_records("usgov")[0]["body"]
    assert fresh.new_records("commercial") == []
    [a] = fresh.audit()
    assert a["decision"] == "reroute" and a["identity"]["subject"] == "alice"
    assert a["identity"]["us_person"] is True and a["identity"]["state"] == "verified"
    assert a["identity"]["issuer"] == "https://idp.demo.itar-gateway.invalid"


def test_es256_token_accepted(gateway, fresh):
    r = gateway.chat("hello", token(sub="bob", alg="ES256"))
    assert r.status == 200, r
    assert fresh.audit()[0]["identity"]["subject"] == "bob"


def test_foreign_national_refused_on_controlled_content(gateway, fresh):
    body, a = refused(gateway.chat(ITAR, token(sub="fn", person="foreign_national")), fresh, 403, "identity_ineligible")
    assert "US-person status" in msg(body)
    assert a["identity"]["us_person"] is False and a["labels"][0]["label"] == "ITAR"


def test_foreign_national_refused_on_controlled_path(gateway, fresh):
    body, _ = refused(gateway.chat("hello", token(person="foreign_national"), model="llama-3.1-70b"), fresh, 403, "identity_ineligible")
    assert "onprem" in msg(body) and "US-person" in msg(body)


def test_foreign_national_benign_on_commercial_allowed(gateway, fresh):
    assert gateway.chat("What is the boiling point of water?", token(person="foreign_national")).status == 200


def test_unknown_person_category_is_not_a_yes(gateway, fresh):
    body, a = refused(gateway.chat(ITAR, token(person=None)), fresh, 403, "identity_ineligible")
    assert "verified US-person status" in msg(body)
    assert a["identity"]["us_person"] is None


def test_clearance_sufficient_and_too_low(cgw, fresh):
    r = cgw.chat(SECRET, token(clearance="SECRET"), model="llama-3.1-70b")
    assert r.status == 200, r
    cgw.settle()
    start = cgw.mark()
    r = cgw.chat(SECRET, token(clearance="CONFIDENTIAL"), model="llama-3.1-70b")
    assert r.status == 403 and r.json()["error"]["code"] == "identity_ineligible"
    assert "a SECRET clearance" in msg(r.json())
    a = cgw.audit_after(start, 1)[-1]
    assert a["identity"]["clearance"] == "CONFIDENTIAL" and a["reason"] == "identity_ineligible"
    assert not any("CONFIDENTIAL" in x.get("body", "") for x in fresh.new_records("onprem"))


def test_missing_compartment(cgw, fresh):
    r = cgw.chat(TS_SI_TK, token(clearance="TOP SECRET", sci=["SI"]), model="llama-3.1-70b")
    assert r.status == 403 and "compartment TK" in msg(r.json())
    before = len(fresh.new_records("onprem"))
    assert before == 0
    r = cgw.chat(TS_SI_TK, token(clearance="TOP SECRET", sci=["SI", "TK"]), model="llama-3.1-70b")
    assert r.status == 200, r


@pytest.mark.parametrize("case", ["expired", "not_yet_valid", "wrong_issuer", "wrong_audience", "other_key", "alg_none", "garbage"])
def test_bad_tokens_get_401(gateway, fresh, case):
    tok = {
        "expired": lambda: token(exp_in=-600),
        "not_yet_valid": lambda: token(nbf_in=600),
        "wrong_issuer": lambda: token(iss="https://evil.example"),
        "wrong_audience": lambda: token(aud="someone-else"),
        "other_key": lambda: token(key=str(ROOT / "envoy" / "demo" / "other-rs256.key.pem")),
        "alg_none": lambda: token(alg_none=True),
        "garbage": lambda: "not.a.jwt",
    }[case]()
    body, a = refused(gateway.chat(ITAR, tok), fresh, 401, "unauthenticated")
    assert a["identity"]["state"] in ("missing", "invalid")
    assert "subject" not in a["identity"]


def test_no_token_gets_401_in_both_formats(gateway, fresh):
    r = gateway.chat("hello")
    assert r.status == 401 and r.json()["error"]["type"] == "authentication_error"
    assert "www-authenticate" in r.headers
    r = gateway.messages("hello")
    assert r.status == 401 and r.json()["type"] == "error"
    assert fresh.new_bodies() == ""


def test_forged_claims_header_without_token(gateway, fresh):
    forged = base64.urlsafe_b64encode(json.dumps({"sub": "mallory", "person_category": "us_citizen"}).encode()).decode()
    headers = {"x-jwt-payload": forged, "claims": forged, "x-jwt-claims": forged, "x-forwarded-user": "mallory"}
    refused(gateway.chat(ITAR, None, headers=headers), fresh, 401, "unauthenticated")


def test_forged_header_next_to_valid_token_is_ignored(gateway, fresh):
    forged = base64.urlsafe_b64encode(json.dumps({"sub": "mallory", "person_category": "us_citizen"}).encode()).decode()
    tok = token(sub="fn", person="foreign_national")
    body, a = refused(gateway.chat(ITAR, tok, headers={"x-jwt-payload": forged, "claims": forged}), fresh, 403, "identity_ineligible")
    assert a["identity"]["subject"] == "fn"


@pytest.mark.parametrize("claim,value", [("clearance", 3), ("person_category", 123), ("sci", {"a": 1}), ("sub", True)])
def test_claims_of_wrong_type_are_refused(gateway, fresh, claim, value):
    body, a = refused(gateway.chat(ITAR, token(extra={claim: value})), fresh, 401, "unauthenticated")
    assert claim in msg(body) and a["identity"]["state"] == "invalid"


def test_token_in_x_api_key_accepted(gateway, fresh):
    r = gateway.messages("hello", headers={"x-api-key": token(sub="carol")})
    assert r.status == 200, r
    assert fresh.audit()[0]["identity"]["subject"] == "carol"
    rec = fresh.new_records("commercial")[0]
    assert "x-api-key" not in rec["headers"]
    assert rec["headers"]["authorization"] == "Bearer DEMO-FAKE-commercial-key"


def test_same_token_in_both_headers_accepted(gateway, fresh):
    t = token(sub="dave")
    r = gateway.chat("hello", t, headers={"x-api-key": t})
    assert r.status == 200, r


def test_different_tokens_in_both_headers_refused(gateway, fresh):
    us, foreign = token(sub="us-user"), token(sub="fn-user", person="foreign_national")
    body, a = refused(gateway.chat(ITAR, foreign, headers={"x-api-key": us}), fresh, 401, "unauthenticated")
    assert "two different credentials" in msg(body)
    refused_again = gateway.chat(ITAR, us, headers={"x-api-key": foreign})
    assert refused_again.status == 401


def test_required_group(gateway, fresh):
    body, a = refused(gateway.chat("hello", token(groups=["other"])), fresh, 401, "unauthenticated")
    assert "itar-gateway-users" in msg(body)
