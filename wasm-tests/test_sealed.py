"""Sealed capture and MFA through real Envoy.

Sealed: the policy's `audit.capture: sealed` with a key pair made by `itar-audit keygen`; the
plaintext of a prompt and of its answer (buffered, streamed, cut) appears nowhere the gateway
writes (audit file, Envoy's log, any file of the gateway's directory) nor anywhere the stand-ins
saw besides the request itself, and `itar-audit open` restores both, bound to the record.

MFA: a destination's and a label's `requires.mfa`, read from minted tokens' `amr`/`acr` claims
as jwt_authn hands them over."""
import base64
import json
import os
import stat
import subprocess
import time
import uuid

import pytest

from conftest import BASE, ROOT, STAT_PREFIX, Gateway, token

AUDIT_CLI = ROOT / "target" / "release" / "itar-audit"
US = token(sub="sealed-user")
ITAR = "ITAR CONTROLLED: This document contains technical data. Fin actuator torque 24 Nm, bolt circle 8 x M8."


def cli(*args):
    return subprocess.run([str(AUDIT_CLI), *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    d = tmp_path_factory.mktemp("keys") / "office"
    out = cli("keygen", "--out", d, "--name", "compliance-office")
    assert out.returncode == 0, out.stderr
    private, public = d / "audit-seal.key", d / "audit-seal.pub"
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
    again = cli("keygen", "--out", d)
    assert again.returncode == 2 and "not overwriting" in again.stderr
    return private, public.read_text().strip()


def sealed_policy(tmp, public_key):
    pol = json.loads((ROOT / "policies" / "default.json").read_text())
    pol["audit"] = {"capture": "sealed", "recipients": [{"name": "compliance-office", "public_key": public_key}]}
    p = tmp / "sealed.json"
    p.write_text(json.dumps(pol))
    return p


@pytest.fixture(scope="module")
def sgw(workdir, standins, keys, tmp_path_factory):
    p = sealed_policy(tmp_path_factory.mktemp("sealed-pol"), keys[1])
    g = Gateway(workdir / "gw-sealed", standins, policy=p, port=BASE + 710, admin=BASE + 711)
    yield g
    g.stop()


def reply_header(text):
    return {"x-standin-reply-b64": base64.b64encode(text.encode()).decode()}


def secrets():
    tag = uuid.uuid4().hex[:12]
    return f"sealed-prompt-{tag} about the quarterly plan", f"sealed-answer-{tag}: the plan looks fine"


def gateway_files_text(g) -> str:
    """Everything the gateway wrote: the audit file, Envoy's log, and every other file in its
    directory (rendered config, access logs)."""
    out = []
    for p in sorted(g.dir.rglob("*")):
        if p.is_file():
            out.append(p.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(out)


def opened(keys, g, request_id, extra=()):
    out = cli("open", "--key", keys[0], "--allow-truncated-start", *extra, g.audit_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "itar-audit open: OK" in out.stderr
    recs = [json.loads(x) for x in out.stdout.splitlines() if x.strip()]
    [rec] = [r for r in recs if r.get("request_id") == request_id]
    return rec


def assert_nowhere(g, standins, *texts, also_not_upstream=()):
    everything = gateway_files_text(g)
    for t in texts:
        assert t not in everything, f"{t!r} in the gateway's files"
    upstream = standins.everything()
    for t in also_not_upstream:
        assert t not in upstream, f"{t!r} reached a stand-in"


def test_buffered_prompt_and_answer_sealed_and_opened(sgw, standins, keys):
    prompt, answer = secrets()
    r = sgw.chat(prompt, US, headers=reply_header(answer))
    assert r.status == 200, r
    assert r.json()["choices"][0]["message"]["content"] == answer
    sgw.settle()
    rec = sgw.audit()[-1]
    assert rec["decision"] == "allow" and "sealed" in rec, rec
    assert "request_text" not in rec and "response_text" not in rec
    assert rec["sealed"]["to"][0]["kid"] and rec["sealed"]["ct"]
    # Neither text in any file the gateway wrote; the answer went to the client only.
    assert_nowhere(sgw, standins, prompt, answer, "quarterly plan", "plan looks fine",
                   also_not_upstream=(answer,))
    assert prompt in standins.all_bodies(), "the prompt itself did go to the model"
    o = opened(keys, sgw, rec["request_id"])
    assert prompt in o["request_text"] and answer in o["response_text"]
    assert "sealed" not in o


def test_streamed_answer_sealed_as_received(sgw, standins, keys):
    prompt, answer = secrets()
    r = sgw.chat(prompt, US, headers=reply_header(answer), stream=True)
    assert r.status == 200, r
    got = "".join(json.loads(line[6:])["choices"][0]["delta"].get("content") or ""
                  for line in r.body.decode().splitlines()
                  if line.startswith("data: {") and json.loads(line[6:]).get("choices"))
    assert got == answer
    sgw.settle()
    rec = sgw.audit()[-1]
    assert rec["stream"] is True and rec["response_decision"] == "pass"
    assert "sealed" in rec and "response_text" not in rec
    assert_nowhere(sgw, standins, prompt, answer, also_not_upstream=(answer,))
    o = opened(keys, sgw, rec["request_id"])
    assert o["response_text"] == answer and prompt in o["request_text"]


def test_cut_stream_keeps_what_the_client_received(sgw, standins, keys):
    prompt, _ = secrets()
    tag = uuid.uuid4().hex[:8]
    before = f"Opening words {tag} that reach the client, and a few more of them here. "
    answer = before + ITAR + " And then the rest."
    r = sgw.chat(prompt, US, headers=reply_header(answer), stream=True)
    assert r.status == 200
    body = r.body.decode()
    assert "controlled_content_in_response" in body and "Fin actuator" not in body
    sgw.settle()
    rec = [x for x in sgw.audit() if x.get("response_decision") == "block" and x.get("stream")][-1]
    o = opened(keys, sgw, rec["request_id"])
    assert o["response_text"].startswith(f"Opening words {tag}")
    assert "Fin actuator" not in o["response_text"] and "ITAR CONTROLLED" not in o["response_text"]
    assert f"Opening words {tag}" not in gateway_files_text(sgw)


def test_moved_envelope_does_not_open(sgw, keys, tmp_path):
    a, b = secrets()
    sgw.chat(a, US)
    sgw.chat(b, US)
    sgw.settle()
    lines = sgw.audit_path.read_text().splitlines()
    recs = [json.loads(x) for x in lines]
    i, j = [k for k, r in enumerate(recs) if "sealed" in r][-2:]
    moved = dict(recs[j])
    moved["sealed"] = recs[i]["sealed"]
    lines[j] = json.dumps(moved, separators=(",", ":"))
    f = tmp_path / "moved.jsonl"
    f.write_text("\n".join(lines) + "\n")
    out = cli("open", "--key", keys[0], "--allow-truncated-start", f)
    assert out.returncode == 1
    # (the chain alone cannot see an edit of the last record of a chain; the binding can)
    assert "envelope does not open" in out.stderr
    bad = [json.loads(x) for x in out.stdout.splitlines() if x.strip()]
    [victim] = [r for r in bad if r.get("request_id") == recs[j]["request_id"]]
    assert "open_error" in victim and "request_text" not in victim
    # Another office's key opens nothing.
    other = tmp_path / "other"
    assert cli("keygen", "--out", other).returncode == 0
    out = cli("open", "--key", other / "audit-seal.key", "--allow-truncated-start", sgw.audit_path)
    assert out.returncode == 1 and "not for this key" in out.stdout


def test_randomness_inside_envoy_and_no_seal_failures(sgw):
    for i in range(4):
        assert sgw.chat(f"fresh randomness {i}", US).status == 200
    sgw.settle()
    envs = [r["sealed"] for r in sgw.audit() if "sealed" in r]
    assert len(envs) >= 4
    encs = [e["to"][0]["enc"] for e in envs]
    assert len(set(encs)) == len(encs), "an ephemeral key was reused"
    req, fail = STAT_PREFIX + "itar_requests", STAT_PREFIX + "itar_audit_seal_failures"
    stats = sgw.stats_when(req, lambda s: s.get(req, 0) > 0)
    assert stats.get(req, 0) > 0
    assert sgw.stats(fail).get(fail, 0) == 0


def test_a_malformed_recipient_key_is_refused_and_the_old_policy_keeps_serving(sgw, keys, tmp_path):
    pol = json.loads(sgw.policy.read_text())
    pol["audit"]["recipients"][0]["public_key"] = base64.b64encode(b"\x00" * 32).decode()
    bad = tmp_path / "bad-key.json"
    bad.write_text(json.dumps(pol))
    prompt, _ = secrets()
    try:
        sgw.render(ecds_only=True, policy=bad)
        time.sleep(1.0)
        r = sgw.chat(prompt, US)
        assert r.status == 200, r
        assert "audit.recipients[0].public_key" in sgw.log()
        sgw.settle()
        rec = sgw.audit()[-1]
        assert "sealed" in rec and prompt not in sgw.audit_path.read_text()
        assert prompt in opened(keys, sgw, rec["request_id"])["request_text"]
    finally:
        sgw.render(ecds_only=True)


# --- MFA ---

@pytest.fixture(scope="module")
def mgw(workdir, standins, tmp_path_factory):
    pol = json.loads((ROOT / "policies" / "default.json").read_text())
    pol["destinations"]["onprem"].setdefault("requires", {})["mfa"] = True
    pol["labels"]["ITAR"].setdefault("requires", {})["mfa"] = True
    pol["identity"]["mfa_acr_values"] = ["urn:okta:loa:2fa:any", "2"]
    p = tmp_path_factory.mktemp("mfa-pol") / "mfa.json"
    p.write_text(json.dumps(pol))
    g = Gateway(workdir / "gw-mfa", standins, policy=p, port=BASE + 720, admin=BASE + 721)
    yield g
    g.stop()


def mfa_refused(g, standins, r, before):
    assert r.status == 403, r
    err = r.json()["error"]
    assert err["code"] == "identity_ineligible"
    assert "requires multi-factor authentication" in err["message"], err
    g.settle()
    assert g.audit()[-1]["reason"] == "identity_ineligible"
    assert standins.all_bodies() == before, "a refused request reached an upstream"


@pytest.mark.parametrize("claims", [{}, {"amr": ["pwd"]}, {"acr": "1"}, {"acr": "urn:okta:loa:1fa:any"}])
def test_destination_requires_mfa_refused_without(mgw, standins, claims):
    before = standins.all_bodies()
    r = mgw.chat("hello on-prem", token(sub="no-mfa", extra=claims), model="llama-3.1-70b")
    mfa_refused(mgw, standins, r, before)
    assert "onprem" in r.json()["error"]["message"]
    assert mgw.audit()[-1]["identity"].get("mfa") in (None, False)


@pytest.mark.parametrize("claims", [{"amr": ["pwd", "mfa"]}, {"amr": ["mfa"]}, {"acr": "urn:okta:loa:2fa:any"}, {"acr": "2"}])
def test_destination_requires_mfa_served_with(mgw, standins, claims):
    r = mgw.chat("hello on-prem", token(sub="mfa", extra=claims), model="llama-3.1-70b")
    assert r.status == 200, r
    mgw.settle()
    rec = mgw.audit()[-1]
    assert rec["destination"] == "onprem" and rec["identity"]["mfa"] is True


def test_label_requires_mfa(mgw, standins):
    before = standins.all_bodies()
    r = mgw.chat(ITAR, token(sub="no-mfa", extra={"amr": ["pwd"]}))
    mfa_refused(mgw, standins, r, before)
    assert "ITAR" in r.json()["error"]["message"]
    r = mgw.chat(ITAR, token(sub="mfa", extra={"amr": ["pwd", "mfa"]}))
    assert r.status == 200, r
    assert "Fin actuator" in standins.all_bodies()
    # Benign content needs no second factor.
    assert mgw.chat("What is the boiling point of water?", token(sub="no-mfa")).status == 200
