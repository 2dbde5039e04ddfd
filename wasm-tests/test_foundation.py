"""Foundation: the built filter inside real Envoy decides AI requests, end to end."""
import gzip
import json
import pathlib
import subprocess
import sys
import time

import pytest

from conftest import BASE, ENVOY, ROOT, Gateway, token

US = token(sub="alice", clearance="SECRET", sci=["SI", "TK"])


def test_benign_request_reaches_commercial(gateway, fresh):
    r = gateway.chat("Write a haiku about the sea.", US)
    assert r.status == 200, r
    assert r.json()["choices"][0]["message"]["content"].startswith("Hello from the commercial stand-in")
    assert r.headers["x-itar-destination"] == "commercial"
    recs = fresh.new_records("commercial")
    assert len(recs) == 1 and "haiku about the sea" in recs[0]["body"]
    # The caller's token never goes upstream; Envoy adds the destination's own credential.
    assert recs[0]["headers"]["authorization"] == "Bearer DEMO-FAKE-commercial-key"
    assert "x-api-key" not in recs[0]["headers"] and US not in json.dumps(recs[0]["headers"])
    [a] = fresh.audit()
    assert a["decision"] == "allow" and a["destination"] == "commercial"
    assert a["response_status"] == 200 and a["policy"]["id"] == "itar-default"
    assert a["request_text_sha256"] and len(a["request_text_sha256"]) == 64
    assert a["identity"]["subject"] == "alice"


def test_marked_prompt_blocked_in_openai_format(gateway, fresh):
    r = gateway.chat("SECRET//NOFORN\nSummarize the attached sitrep.", US)
    assert r.status == 403, r
    err = r.json()["error"]
    assert set(err) >= {"message", "type", "code"}
    assert err["type"] == "permission_error"
    rid = fresh.audit()[0]["request_id"]
    assert rid in err["message"]
    assert "NOFORN" not in fresh.new_bodies()
    assert fresh.new_records("commercial") == []
    [a] = fresh.audit()
    assert a["decision"] == "block" and a["response_status"] == 403
    assert any(lab["label"] == "CLASSIFIED" for lab in a["labels"])


def test_marked_prompt_blocked_in_anthropic_format(gateway, fresh):
    r = gateway.messages("TOP SECRET//SI//NOFORN\n(TS//SI//NF) Move the batteries.", US)
    assert r.status == 403, r
    body = r.json()
    assert body["type"] == "error" and body["error"]["type"] == "permission_error"
    assert fresh.new_bodies() == ""
    assert len(fresh.audit()) == 1


def test_anthropic_benign_reaches_commercial(gateway, fresh):
    r = gateway.messages("What is the capital of France?", US)
    assert r.status == 200, r
    assert r.json()["content"][0]["text"].startswith("Hello from the commercial stand-in")
    assert len(fresh.new_records("commercial")) == 1


def test_oversize_body_gets_413(gateway, fresh):
    big = "a " * (600 * 1024)  # 1.2 MB of JSON text, over the 1 MiB default
    r = gateway.chat(big, US)
    assert r.status == 413, r
    assert r.json()["error"]["code"] == "body_too_large"
    assert fresh.new_bodies() == ""
    assert fresh.audit()[0]["decision"] == "reject"


def test_encoded_body_gets_415(gateway, fresh):
    body = gzip.compress(json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "SECRET//NOFORN"}]}).encode())
    r = gateway.post("/v1/chat/completions", body, US, {"content-encoding": "gzip"})
    assert r.status == 415, r
    assert r.json()["error"]["code"] == "content_encoded"
    assert fresh.new_bodies() == ""
    assert fresh.audit()[0]["reason"] == "content_encoded"


def test_malformed_json_gets_400(gateway, fresh):
    r = gateway.post("/v1/chat/completions", b'{"model": "gpt-4o", "messages": [', US)
    assert r.status == 400, r
    assert r.json()["error"]["code"] == "malformed_json"
    r = gateway.post("/v1/messages", b'{"model": "claude-sonnet-5-5", "messages": [', US)
    assert r.status == 400 and r.json()["type"] == "error"
    assert fresh.new_bodies() == ""
    assert len(fresh.audit(2)) == 2


def test_invalid_utf8_gets_400(gateway, fresh):
    r = gateway.post("/v1/chat/completions", b'{"model": "gpt-4o", "messages": [{"role":"user","content":"\xff\xfe"}]}', US)
    assert r.status == 400 and r.json()["error"]["code"] == "invalid_utf8"
    assert fresh.new_bodies() == ""


def test_crafted_overlapping_matches_do_not_stall_a_worker(gateway, fresh):
    """docs/detection.md, "Work bound": text where every word start begins an e-mail-shaped match
    that ends at one far '@', and dotted digit groups that keep the e-mail pattern alive. An
    overlapping scan re-reads such a run once per match; without the work bound, these 200 KB
    bodies would hold an Envoy worker for minutes (this request would time out). With it they are
    answered."""
    for text in ["a." * 100_000 + "a@example.com",
                 ".".join(f"{1000 + i % 9000:04d}" for i in range(40_000))]:
        r = gateway.chat(text, US)
        assert r.status == 200, r
        assert r.headers["x-itar-decision"] == "allow"
    recs = fresh.audit(2)
    assert [a["decision"] for a in recs] == ["allow", "allow"]
    assert all(a["request_bytes"] > 200_000 and a["scan_us"] > 0 for a in recs)


def test_unknown_path_denied_and_listed_path_passes(gateway, fresh):
    r = gateway.request("POST", "/v1/files", b"{}", {"authorization": f"Bearer {US}"})
    assert r.status == 404 and r.json()["error"]["code"] == "path_not_allowed"
    r = gateway.request("GET", "/v1/models", None, {"authorization": f"Bearer {US}"})
    assert r.status == 200 and r.headers["x-itar-destination"] == "commercial"
    # A listed path carries no content but is not open to anyone: the same identity gate.
    r = gateway.request("GET", "/v1/models", None)
    assert r.status == 401 and r.json()["error"]["code"] == "unauthenticated", r
    assert [x["decision"] for x in fresh.audit(3)] == ["reject", "passthrough", "refuse"]


# Uploads and other surfaces the gateway does not inspect (docs/destinations.md, "Not served").
UNSERVED = [
    ("POST", "/v1/files"), ("POST", "/v1/uploads"), ("POST", "/v1/batches"),
    ("POST", "/v1/fine_tuning/jobs"), ("GET", "/v1/realtime?model=gpt-4o-realtime"),
    ("POST", "/v1/audio/transcriptions"), ("POST", "/v1/images/generations"),
    ("POST", "/v1/vector_stores"), ("POST", "/v1/assistants"), ("POST", "/v1/threads/runs"),
    ("GET", "/v1/responses/resp_123"), ("POST", "/v1/messages/batches"), ("POST", "/v1/files?purpose=batch"),
]


@pytest.mark.parametrize("method,path", UNSERVED)
def test_unserved_surfaces_refused_naming_the_path(gateway, fresh, method, path):
    body = None if method == "GET" else b"{}"
    r = gateway.request(method, path, body, {"authorization": f"Bearer {US}"})
    err = r.json()["error"]
    assert r.status == 404 and err["code"] == "path_not_allowed", r
    assert path.split("?")[0] in err["message"] and "not served" in err["message"], err
    assert fresh.new_bodies() == ""


def test_unknown_model_refused(gateway, fresh):
    r = gateway.chat("hello", US, model="gpt-5-unlisted")
    assert r.status == 403 and r.json()["error"]["code"] == "model_not_allowed"
    assert fresh.new_bodies() == ""


def test_redaction_keeps_json_and_content_length_right(gateway, fresh):
    r = gateway.chat("Fix the grammar: the applicant (SSN 148-36-7725) has completed the drug screen.", US)
    assert r.status == 200, r
    [rec] = fresh.new_records("commercial")
    assert "148-36-7725" not in rec["body"]
    sent = json.loads(rec["body"])  # valid JSON upstream
    assert "[REDACTED:SSN]" in sent["messages"][0]["content"]
    assert int(rec["headers"]["content-length"]) == len(rec["body"].encode())
    [a] = fresh.audit()
    assert a["decision"] == "redact" and a["forwarded_bytes"] == len(rec["body"].encode())


def test_client_cannot_pick_cluster(gateway, fresh):
    r = gateway.chat("SECRET//NOFORN", US, headers={"x-itar-destination": "usgov"})
    assert r.status == 403
    r = gateway.chat("hello", US, headers={"x-itar-destination": "foreign"})
    assert r.status == 200 and r.headers["x-itar-destination"] == "commercial"
    assert fresh.new_records("foreign") == [] and fresh.new_records("usgov") == []
    [rec] = fresh.new_records("commercial")
    assert "x-itar-destination" in rec["headers"] and rec["headers"]["x-itar-destination"] == "commercial"


def test_one_audit_line_per_request(gateway, fresh):
    n = 12
    for i in range(n):
        if i % 3 == 0:
            gateway.chat(f"SECRET//NOFORN item {i}", US)
        elif i % 3 == 1:
            gateway.chat(f"benign item {i}", US)
        else:
            gateway.post("/v1/chat/completions", b"{bad", US)
    time.sleep(0.3)
    lines = fresh.audit(n)
    assert len(lines) == n
    assert len({a["request_id"] for a in lines}) == n


def test_openai_sdk_through_gateway(gateway, fresh):
    import openai

    client = openai.OpenAI(base_url=gateway.url("/v1"), api_key=US, max_retries=0)
    out = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    assert out.choices[0].message.content.startswith("Hello from the commercial stand-in")
    text = ""
    for chunk in client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True):
        if chunk.choices and chunk.choices[0].delta.content:
            text += chunk.choices[0].delta.content
    assert text.startswith("Hello from the commercial stand-in")
    with pytest.raises(openai.PermissionDeniedError) as e:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "SECRET//NOFORN plans"}])
    assert e.value.status_code == 403


def test_anthropic_sdk_through_gateway(gateway, fresh):
    import anthropic

    for auth in ({"api_key": US}, {"auth_token": US}):
        client = anthropic.Anthropic(base_url=gateway.url(), max_retries=0, **auth)
        out = client.messages.create(model="claude-sonnet-5-5", max_tokens=64, messages=[{"role": "user", "content": "hi"}])
        assert out.content[0].text.startswith("Hello from the commercial stand-in")
        with client.messages.stream(model="claude-sonnet-5-5", max_tokens=64, messages=[{"role": "user", "content": "hi"}]) as s:
            text = "".join(s.text_stream)
        assert text.startswith("Hello from the commercial stand-in")
    with pytest.raises(anthropic.PermissionDeniedError):
        client.messages.create(model="claude-sonnet-5-5", max_tokens=64, messages=[{"role": "user", "content": "TOP SECRET//NOFORN"}])


def test_bad_policy_rejected_at_start(workdir, standins, tmp_path):
    bad = tmp_path / "bad.json"
    pol = json.loads((ROOT / "policies" / "default.json").read_text())
    pol["signals"].append({"id": "broken", "regex": "(unclosed"})
    bad.write_text(json.dumps(pol))
    before = len(standins.records("commercial"))
    g = Gateway(workdir / "gw-bad", standins, policy=bad, port=BASE + 20, admin=BASE + 21)
    try:
        r = g.chat("hello from a gateway without a policy", US)
        assert r.status >= 500, r  # fail closed: no policy, no service
        assert "policy rejected" in g.log() and "broken" in g.log()
        assert len(standins.records("commercial")) == before
        # The same policy does not pass validation either.
        out = subprocess.run([str(ROOT / "scripts" / "validate-envoy"), "--policy", str(bad)], capture_output=True, text=True)
        assert out.returncode != 0
    finally:
        g.stop()


def test_bad_policy_hot_swap_keeps_old(workdir, standins, tmp_path):
    g = Gateway(workdir / "gw-swap", standins, port=BASE + 30, admin=BASE + 31)
    try:
        assert g.chat("hello", US).status == 200
        bad = tmp_path / "bad.json"
        bad.write_text('{"id": "x", "version": "1", "endpoints": "nope"}')
        g.render(ecds_only=True, policy=bad)
        time.sleep(1.0)
        assert g.chat("hello again", US).status == 200
        assert g.chat("SECRET//NOFORN", US).status == 403
        assert "policy rejected" in g.log()
    finally:
        g.stop()


def test_every_envoy_config_validates(tmp_path):
    out = subprocess.run([str(ROOT / "scripts" / "validate-envoy"), "--out", str(tmp_path)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "OK" in out.stdout


def test_request_ids_are_envoys_not_the_clients(gateway, fresh):
    r = gateway.chat("hello", US, headers={"x-request-id": "forged-request-id"})
    assert r.status == 200
    [a] = fresh.audit()
    assert a["request_id"] != "forged-request-id" and len(a["request_id"]) >= 32
