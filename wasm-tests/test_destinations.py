"""Destinations: each request lands only where its data may go. Asserted through real Envoy by
where the request landed (stand-in recordings) or that it was refused, and what the audit says."""
import json
import socket
import subprocess
import sys
import time

import pytest

from conftest import NATIVE, ROOT, Gateway, Standins, token

US = token(sub="us-eng", clearance="SECRET")
FN = token(sub="fn-eng", person="foreign_national")
ITAR = "ITAR CONTROLLED: technical data. Fin actuator torque 24 Nm on a 312 mm bolt circle."
CUI = "CUI//SP-EXPT\nControlled by: Halvorsen Dynamics. Export-controlled test fixture drawings follow."
SECRET = "SECRET//NOFORN\n(S//NF) Battery relocation schedule."
SSN = "Update the record for Jonah Whitfield, SSN 410-28-6653, effective 1 August."

# (id, path, model, text, token, expected status, landed at, decision, reason)
TABLE = [
    ("benign-us", "openai", "gpt-4o", "Write a haiku about autumn.", US, 200, "commercial", "allow", "no_controlled_content"),
    ("benign-foreign-national", "openai", "gpt-4o", "Write a haiku about autumn.", FN, 200, "commercial", "allow", "no_controlled_content"),
    ("itar-us-gpt", "openai", "gpt-4o", ITAR, US, 200, "usgov", "reroute", "approved_destination"),
    ("itar-us-alias", "openai", "gpt-4o-2024-08-06", ITAR, US, 200, "usgov", "reroute", "approved_destination"),
    ("itar-us-claude", "anthropic", "claude-sonnet-5-5", ITAR, US, 200, "usgov", "reroute", "approved_destination"),
    ("itar-us-onprem", "openai", "llama-3.1-70b", ITAR, US, 200, "onprem", "allow", "destination_approved"),
    ("itar-foreign-national", "openai", "gpt-4o", ITAR, FN, 403, None, "refuse", "identity_ineligible"),
    ("itar-us-foreign-model", "openai", "mistral-large", ITAR, US, 403, None, "block", "controlled_content"),
    ("benign-us-foreign-model", "openai", "mistral-large", "Translate 'good morning' to German.", US, 200, "foreign", "allow", "no_controlled_content"),
    ("cui-us-gpt", "openai", "gpt-4o", CUI, US, 200, "usgov", "reroute", "approved_destination"),
    ("cui-us-claude", "anthropic", "claude-sonnet-5-5", CUI, US, 200, "usgov", "reroute", "approved_destination"),
    ("secret-us-gpt", "openai", "gpt-4o", SECRET, US, 403, None, "block", "controlled_content"),
    ("secret-us-onprem", "openai", "llama-3.1-70b", SECRET, US, 403, None, "block", "controlled_content"),
    ("pii-us-gpt", "openai", "gpt-4o", SSN, US, 200, "commercial", "redact", "redacted"),
    ("pii-itar-us", "openai", "gpt-4o", SSN + "\n" + ITAR, US, 200, "usgov", "reroute", "approved_destination"),
    ("unknown-model", "openai", "gpt-9-preview", "hello", US, 403, None, "block", "model_not_allowed"),
    ("no-identity", "openai", "gpt-4o", ITAR, None, 401, None, "refuse", "unauthenticated"),
]


@pytest.mark.parametrize("case", TABLE, ids=[c[0] for c in TABLE])
def test_decision_table(gateway, fresh, case):
    _, fmt, model, text, tok, status, landed, decision, reason = case
    r = gateway.chat(text, tok, model=model) if fmt == "openai" else gateway.messages(text, tok, model=model)
    assert r.status == status, r
    [a] = fresh.audit()
    assert (a["decision"], a["reason"]) == (decision, reason), a
    for dest in ("onprem", "usgov", "commercial", "foreign"):
        recs = fresh.new_records(dest)
        if dest == landed:
            assert len(recs) == 1, f"expected one request at {dest}"
        else:
            assert recs == [], f"{dest} received a request it must not have"
    if landed:
        assert r.headers["x-itar-destination"] == landed
        assert a["destination"] == landed and a["destination_requested"] in ("commercial", "onprem", "foreign")
        body = fresh.new_records(landed)[0]["body"]
        assert "410-28-6653" not in body  # redactions apply wherever it goes
        if "SSN" in text:
            assert "[REDACTED:SSN]" in body
    else:
        assert "x-itar-destination" not in r.headers
        assert a.get("destination") is None


def test_reroute_renames_model_for_destination(gateway, fresh):
    r = gateway.chat(ITAR, US)
    assert r.status == 200
    rec = fresh.new_records("usgov")[0]
    sent = json.loads(rec["body"])
    assert sent["model"] == "gpt-4o-usgov"
    assert int(rec["headers"]["content-length"]) == len(rec["body"].encode())
    assert fresh.audit()[0]["upstream_model"] == "gpt-4o-usgov"


def test_provider_credentials_injected_by_envoy(gateway, fresh):
    gateway.chat("hello", US)
    gateway.chat(ITAR, US)
    c = fresh.new_records("commercial")[0]["headers"]
    u = fresh.new_records("usgov")[0]["headers"]
    assert c["authorization"] == "Bearer DEMO-FAKE-commercial-key"
    assert u["authorization"] == "Bearer DEMO-FAKE-usgov-key"
    assert US not in json.dumps(c) and US not in json.dumps(u)


def test_metrics_per_destination_and_decision(gateway, fresh):
    def value(stats, name):
        key = [k for k in stats if k.endswith(name)]
        assert key, (name, stats)
        return stats[key[0]]

    names = ("itar_requests", "itar_decision_reroute", "itar_decision_block", "itar_dest_usgov",
             "itar_label_itar", "itar_label_classified", "itar_dest_commercial", "itar_decision_allow")
    gateway.settle()
    time.sleep(1.0)  # earlier tests' counts are on the VMs' 500 ms flush timers: let them land first
    before = gateway.stats("itar_")
    gateway.chat(ITAR, US)
    gateway.chat(SECRET, US)
    gateway.settle()  # counters are counted in on_log, with the audit line

    def delta(stats, n):
        return value(stats, n) - before.get(next((k for k in before if k.endswith(n)), ""), 0)

    # ...and reach Envoy on the VM's flush timer: wait for both requests (each VM flushes all it
    # counted at once, so the other counters are complete then too).
    stats = gateway.stats_when("itar_", lambda s: delta(s, "itar_requests") >= 2)
    got = {n: delta(stats, n) for n in names}
    # Exactly what the two requests add: one reroute of ITAR content to usgov, one block of a
    # SECRET marking, nothing allowed to commercial.
    assert got == {"itar_requests": 2, "itar_decision_reroute": 1, "itar_decision_block": 1, "itar_dest_usgov": 1,
                   "itar_label_itar": 1, "itar_label_classified": 1, "itar_dest_commercial": 0,
                   "itar_decision_allow": 0}, got
    assert value(stats, "itar_policy_loads") >= 1
    assert any(k.endswith("itar_policy_digest_prefix") for k in stats)
    # A VM's Wasm linear memory, set at configure time: a few MiB to tens of MiB, within budget.
    # The native build has no VM, so no such gauge (docs/deployment.md, "Native module").
    if not NATIVE:
        assert 2 * 2**20 < value(stats, "itar_vm_memory_bytes") <= 32 * 2**20, stats


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_failover_stays_within_approved_destination(workdir, tmp_path):
    """usgov has two endpoints (priority 0 and 1). With the first stopped, ITAR content fails over
    to the second; with both stopped it gets an error, and never lands on commercial."""
    rec = tmp_path / "rec"
    rec.mkdir()
    ports = {"usgov": free_port(), "usgov-east": free_port(), "commercial": free_port(), "onprem": free_port(), "foreign": free_port()}
    primary = Standins(rec, {"usgov": ports["usgov"]})
    secondary = Standins(rec, {"usgov-east": ports["usgov-east"]})
    others = Standins(rec, {k: ports[k] for k in ("commercial", "onprem", "foreign")})

    class Ups:  # what Gateway needs of its stand-ins: names -> port lists
        ports_map = {"onprem": str(ports["onprem"]), "usgov": f"{ports['usgov']},{ports['usgov-east']}",
                     "commercial": str(ports["commercial"]), "foreign": str(ports["foreign"])}

    ups = Ups()
    ups.ports = ups.ports_map
    g = Gateway(workdir / "gw-failover", ups, port=free_port(), admin=free_port())
    try:
        assert g.chat(ITAR, US).status == 200
        assert len(primary.records("usgov")) == 1
        primary.stop()
        r = g.chat(ITAR, US)
        assert r.status == 200, r
        assert len(secondary.records("usgov-east")) == 1
        secondary.stop()
        r = g.chat(ITAR, US)
        assert r.status == 503, r
        assert r.json()["error"]["code"] == "upstream_unavailable"
        assert others.records("commercial") == [] and others.records("foreign") == []
    finally:
        g.stop()
        for s in (primary, secondary, others):
            if s.proc.poll() is None:
                s.stop()
