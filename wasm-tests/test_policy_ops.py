"""Policy operations through real Envoy: hot swaps under load without a failed request, digest
pinning, shadow mode and its disagreement report, the policy's own example cases."""
import json
import subprocess
import threading
import time

import pytest

from conftest import BASE, ROOT, Gateway, token, wasm_only

US = token(sub="ops-user")
POLICY_CLI = ROOT / "target" / "release" / "itar-policy"


def variant(tmp_path, version: str, extra_terms=()):
    pol = json.loads((ROOT / "policies" / "default.json").read_text())
    pol["version"] = version
    if extra_terms:
        pol["signals"].insert(0, {"id": "ops_extra", "terms": list(extra_terms), "case_insensitive": True})
        pol["rules"].append({"id": "ops.extra", "label": "CUI", "signal": "ops_extra"})
    p = tmp_path / f"policy-{version}.json"
    p.write_text(json.dumps(pol))
    return p


@pytest.fixture(scope="module")
def ogw(workdir, standins):
    g = Gateway(workdir / "gw-ops", standins, port=BASE + 70, admin=BASE + 71)
    yield g
    g.stop()


def wait_version(g, version, timeout=5.0):
    end = time.time() + timeout
    while time.time() < end:
        r = g.chat("which policy?", US)
        if r.headers.get("x-itar-policy") == version:
            return True
        time.sleep(0.05)
    return False


def test_twenty_swaps_under_load_without_a_failed_request(ogw, tmp_path):
    stop = threading.Event()
    results = []
    lock = threading.Lock()

    def load(i):
        n = 0
        while not stop.is_set():
            text = "SECRET//NOFORN ops" if n % 4 == 0 else f"benign ops {i}-{n}"
            try:
                r = ogw.chat(text, US)
                status = r.status
            except Exception as e:  # connection errors count as failures
                status = repr(e)
            with lock:
                results.append((text.startswith("SECRET"), status))
            n += 1

    threads = [threading.Thread(target=load, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    try:
        for k in range(20):
            ogw.render(ecds_only=True, policy=variant(tmp_path, f"swap-{k}"))
            time.sleep(0.25)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert wait_version(ogw, "swap-19")
    bad = [(m, s) for m, s in results if s != (403 if m else 200)]
    assert len(results) > 100 and not bad, f"{len(bad)} failed of {len(results)}: {bad[:5]}"


def test_digest_pin_refuses_a_mismatching_policy(ogw, tmp_path):
    good = variant(tmp_path, "pinned-1")
    digest = subprocess.run([str(POLICY_CLI), "digest", str(good)], capture_output=True, text=True, check=True).stdout.strip()
    ogw.render(ecds_only=True, policy=good)
    assert wait_version(ogw, "pinned-1")
    # A policy whose content changed but whose pin did not: refused, the old one keeps serving.
    tampered = variant(tmp_path, "pinned-2", extra_terms=["tampered term"])
    subprocess.run([str(ROOT / "scripts" / "render-envoy"), "--out", str(ogw.dir / "envoy"), "--policy", str(tampered),
                    "--wasm", str(ogw.wasm), "--ecds-only", "--expected-digest", digest], check=True)
    time.sleep(1.0)
    assert not wait_version(ogw, "pinned-2", timeout=1.0)
    assert "does not match the expected digest" in ogw.log()
    # With the right pin it is accepted.
    right = subprocess.run([str(POLICY_CLI), "digest", str(tampered)], capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([str(ROOT / "scripts" / "render-envoy"), "--out", str(ogw.dir / "envoy"), "--policy", str(tampered),
                    "--wasm", str(ogw.wasm), "--ecds-only", "--expected-digest", right], check=True)
    assert wait_version(ogw, "pinned-2")


def test_shadow_policy_records_without_enforcing(ogw, tmp_path):
    enforcing = variant(tmp_path, "enforce-1")
    candidate = variant(tmp_path, "candidate-1", extra_terms=["project bluebird"])
    subprocess.run([str(ROOT / "scripts" / "render-envoy"), "--out", str(ogw.dir / "envoy"), "--policy", str(enforcing),
                    "--wasm", str(ogw.wasm), "--ecds-only", "--shadow-policy", str(candidate)], check=True)
    assert wait_version(ogw, "enforce-1")
    ogw.settle()
    start = ogw.mark()
    r = ogw.chat("Status update on Project Bluebird schedule", US)
    assert r.status == 200  # the shadow would have rerouted it (CUI), but it does not enforce
    ogw.chat("plain benign text", US)
    ogw.settle()
    recs = ogw.audit()[start:]
    assert recs[0]["shadow"]["policy"]["version"] == "candidate-1"
    assert recs[0]["shadow"]["decision"] == "reroute" and recs[0]["shadow"]["disagrees"] is True
    assert recs[1]["shadow"]["disagrees"] is False
    audit_file = tmp_path / "audit-part.jsonl"
    audit_file.write_text("\n".join(json.dumps(x) for x in recs) + "\n")
    out = subprocess.run([str(POLICY_CLI), "shadow-report", str(audit_file)], capture_output=True, text=True, check=True).stdout
    assert "1 disagreements" in out and "allow -> reroute" in out
    stats = ogw.stats_when("itar_shadow_disagreements", lambda s: any(v >= 1 for v in s.values()))
    assert any(v >= 1 for v in stats.values()), stats


def test_policy_example_cases_hold():
    out = subprocess.run([str(POLICY_CLI), "test", str(ROOT / "policies" / "default.json")], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout
    assert " 0 failed" in out.stdout


def test_check_names_the_field(tmp_path):
    pol = json.loads((ROOT / "policies" / "default.json").read_text())
    pol["models"]["gpt-4o"]["destinations"].append("nowhere")
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(pol))
    out = subprocess.run([str(POLICY_CLI), "check", str(p)], capture_output=True, text=True)
    assert out.returncode != 0 and "models.gpt-4o" in out.stderr and "nowhere" in out.stderr


@wasm_only("no Wasm VM, so no linear-memory gauge (itar_vm_memory_bytes)")
def test_shadow_policy_memory(workdir, standins):
    """Enforcing + shadow compiled side by side in every VM, from the start: the cost
    docs/policy-operations.md states (measured 36.9 MiB with the default policy as both)."""
    g = Gateway(workdir / "gw-shadow-mem", standins, port=BASE + 76, admin=BASE + 77,
                render_args=["--shadow-policy", str(ROOT / "policies" / "default.json")])
    try:
        assert g.chat("hello", US).status == 200
        mem = max(g.stats_when("itar_vm_memory_bytes", lambda s: bool(s)).values())
    finally:
        g.stop()
    assert 30 * 2**20 < mem <= 40 * 2**20, mem
