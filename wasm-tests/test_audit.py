"""Audit trail through real Envoy: exactly one sealed record per request in every outcome, the
chain verifies, and each kind of tampering is found at the right record."""
import json
import socket
import subprocess

import pytest

from conftest import BASE, NATIVE, ROOT, token

AUDIT_CLI = ROOT / "target" / "release" / "itar-audit"
US = token(sub="audit-user", clearance="SECRET")


def verify(path, *args):
    return subprocess.run([str(AUDIT_CLI), "verify", *args, str(path)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def trail(gateway, tmp_path_factory):
    """A mixed load; returns the audit lines it produced (a copy of that part of the file)."""
    gateway.settle()
    start = len(gateway.audit_path.read_text().splitlines())
    sent = 0
    for i in range(5):
        gateway.chat(f"benign request {i}", US); sent += 1
        gateway.chat(f"SECRET//NOFORN item {i}", US); sent += 1
        gateway.chat(f"my SSN is 148-36-77{10 + i}", US); sent += 1
        gateway.chat("ITAR CONTROLLED: fin torque 24 Nm", US); sent += 1
        gateway.chat("no token", None); sent += 1
        gateway.post("/v1/chat/completions", b"{broken", US); sent += 1
        gateway.chat("stream me", US, stream=True); sent += 1
    gateway.settle()
    lines = gateway.audit_path.read_text().splitlines()[start:]
    assert len(lines) == sent, f"{len(lines)} audit lines for {sent} requests"
    return lines, tmp_path_factory.mktemp("trail")


def write(dirpath, name, lines):
    p = dirpath / name
    p.write_text("\n".join(lines) + "\n")
    return p


def test_one_record_per_request_and_chain_verifies(trail):
    lines, d = trail
    recs = [json.loads(x) for x in lines]
    assert {r["decision"] for r in recs} >= {"allow", "block", "redact", "reroute", "refuse", "reject"}
    assert all(r["schema"] == "itar-audit/2" and r.get("chain") for r in recs)
    # Chain ids name the Envoy node they came from (the bootstrap's node.id); the native build
    # cannot read the node id through the dynamic-module ABI and names the host instead.
    node = socket.gethostname() if NATIVE else "itar-gateway"
    assert all(r["chain"]["id"].startswith(f"{node}/") for r in recs), recs[0]["chain"]
    assert all(r["policy"]["digest"] for r in recs)
    # Lines are a tail of the chains (earlier tests wrote the start): allow a truncated start.
    out = verify(write(d, "ok.jsonl", lines), "--allow-truncated-start")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "OK" in out.stdout


def chain_positions(lines):
    """Indexes of lines in the chain that has the most records here."""
    by = {}
    for i, x in enumerate(lines):
        by.setdefault(json.loads(x)["chain"]["id"], []).append(i)
    return max(by.values(), key=len)


@pytest.mark.parametrize("kind", ["deleted", "inserted", "reordered", "edited", "duplicated"])
def test_tampering_is_found_at_the_right_record(trail, kind):
    lines, d = trail
    pos = chain_positions(lines)
    assert len(pos) >= 6
    k = pos[3]
    t = list(lines)
    if kind == "deleted":
        del t[k]
    elif kind == "inserted":
        forged = json.loads(lines[k])
        forged["request_id"] = "forged"
        t.insert(k, json.dumps(forged))
    elif kind == "reordered":
        t[pos[3]], t[pos[4]] = t[pos[4]], t[pos[3]]
    elif kind == "edited":
        r = json.loads(t[k])
        r["decision"] = "allow" if r["decision"] != "allow" else "block"
        t[k] = json.dumps(r, separators=(",", ":"))
    elif kind == "duplicated":
        t.insert(k + 1, t[k])
    out = verify(write(d, f"{kind}.jsonl", t), "--allow-truncated-start")
    assert out.returncode == 1, out.stdout
    assert kind in out.stdout or (kind == "inserted" and ("inserted" in out.stdout or "edited" in out.stdout)), out.stdout
    # The finding names the tampered line, or (records of several workers interleave in one file)
    # the next record of the same chain, whose link breaks (1-based line numbers).
    import re
    found = [int(m) for m in re.findall(r":(\d+): ", out.stdout)]
    nxt = pos[4] if kind == "deleted" else pos[4] + 1 + (1 if kind in ("inserted", "duplicated") else 0)
    assert any(abs(n - (k + 1)) <= 2 or abs(n - nxt) <= 1 for n in found), (k + 1, nxt, out.stdout)


def test_request_without_filter_state_still_leaves_a_line(workdir, standins, tmp_path):
    """A gateway whose filter has no usable policy answers 5xx; Envoy still writes a line."""
    from conftest import Gateway

    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "x"}')
    g = Gateway(workdir / "gw-nostate", standins, policy=bad, port=BASE + 50, admin=BASE + 51)
    try:
        r = g.chat("hello", US)
        assert r.status >= 500
        g.settle()
        lines = g.audit()
        assert len(lines) == 1 and lines[0]["schema"] == "itar-audit/2" and "chain" not in lines[0]
        # The HTTP filters ran, the filter left no record: Envoy's own line says so.
        assert lines[0]["decision"] == "not_inspected" and lines[0]["request_id"], lines[0]
        assert lines[0]["response_status"] == r.status
    finally:
        g.stop()
