"""The trained classifier inside real Envoy (docs/learning.md): a prompt only the classifier
catches is rerouted to the approved endpoint (ITAR with gpt-4o: usgov) and its audit record names
the classifier; a hot swap of the artifact alone
(same rules, another artifact) under load fails no request; a tampered artifact is refused and the
old one keeps serving."""
import base64
import hashlib
import json
import threading
import time

import pytest

from conftest import BASE, ROOT, Gateway, token

US = token(sub="classifier-user")

# Written for this test (not in any corpus): parameters of a thrust-vectoring nozzle under a
# program name, a designator and a request to change them. No rule fires on it alone
# (itar.td.domain scores 0.75 of 0.80); the classifier, corroborated by "thrust-vectoring", does.
ONLY_MODEL = ("HALCYON thrust-vectoring nozzle config\n- nozzle deflection: 18.2 deg\n"
              "- turbine inlet temperature: 1975 K\n- fan pressure ratio: 4.4\n- ref: QX-552C\n"
              "can you tune these for the next qualification run")
BENIGN = "Please summarize the cafeteria survey results for the Friday staff meeting."


def policy_with(tmp_path, name: str, artifact: bytes | None = None, version: str | None = None,
                sha: str | None = None, classifiers: bool = True):
    pol = json.loads((ROOT / "policies" / "default.json").read_text())
    pol["version"] = version or name
    if not classifiers:
        pol["classifiers"] = []
    elif artifact is not None:
        c = pol["classifiers"][0]
        c["data"] = base64.b64encode(artifact).decode()
        c["sha256"] = sha or hashlib.sha256(artifact).hexdigest()
    p = tmp_path / f"{name}.json"
    p.write_text(json.dumps(pol))
    return p


def shipped_artifact() -> bytes:
    pol = json.loads((ROOT / "policies" / "default.json").read_text())
    return base64.b64decode(pol["classifiers"][0]["data"])


def other_artifact(tmp_path) -> bytes:
    """The same training data and options but fewer epochs: another artifact, another digest."""
    import subprocess
    out = tmp_path / "other.cls"
    subprocess.run([str(ROOT / "scripts" / "train-classifier"), "--folds", "0", "--epochs", "4",
                    "--out-keep", str(out)], check=True, capture_output=True)
    return out.read_bytes()


@pytest.fixture(scope="module")
def cgw(workdir, standins):
    g = Gateway(workdir / "gw-classifier", standins, port=BASE + 360, admin=BASE + 361)
    yield g
    g.stop()


def wait_version(g, version, timeout=15.0, streak=12):
    """Every worker serves `version`: `streak` answers in a row say so (each worker compiles a
    swapped policy on its own, some a second or two after the first)."""
    end, seen = time.time() + timeout, 0
    while time.time() < end:
        seen = seen + 1 if g.chat(BENIGN, US).headers.get("x-itar-policy") == version else 0
        if seen >= streak:
            return True
        time.sleep(0.02)
    return False


def test_only_the_classifier_catches_it_and_the_record_names_it(cgw, tmp_path):
    cgw.render(ecds_only=True, policy=policy_with(tmp_path, "with-model"))
    assert wait_version(cgw, "with-model")
    cgw.settle()
    start = cgw.mark()
    r = cgw.chat(ONLY_MODEL, US)
    assert r.status == 200 and r.headers["x-itar-destination"] == "usgov", (r.status, r.headers)
    rec = cgw.audit_after(start)[0]
    assert rec["decision"] == "reroute", rec
    rules = [x for lab in rec["labels"] for x in lab.get("rules", [])]
    assert "classifier.ITAR" in rules, rec["labels"]
    assert ONLY_MODEL not in json.dumps(rec)
    # The same policy without its classifier lets it through: the catch is the model's.
    cgw.render(ecds_only=True, policy=policy_with(tmp_path, "rules-only", classifiers=False))
    assert wait_version(cgw, "rules-only")
    r = cgw.chat(ONLY_MODEL, US)
    assert r.status == 200 and r.headers["x-itar-destination"] == "commercial"


def test_an_artifact_swapped_alone_under_load_fails_no_request(cgw, tmp_path):
    shipped, other = shipped_artifact(), other_artifact(tmp_path)
    assert shipped != other
    cgw.render(ecds_only=True, policy=policy_with(tmp_path, "art-0", shipped))
    assert wait_version(cgw, "art-0")
    stop = threading.Event()
    results, lock = [], threading.Lock()

    def load(i):
        n = 0
        while not stop.is_set():
            controlled = n % 3 == 0
            try:
                r = cgw.chat(ONLY_MODEL if controlled else f"{BENIGN} ({i}-{n})", US)
                status = (r.status, r.headers.get("x-itar-destination"))
            except Exception as e:  # a connection error is a failure
                status = repr(e)
            with lock:
                results.append((controlled, status))
            n += 1

    threads = [threading.Thread(target=load, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    try:
        for k in range(1, 9):
            art = other if k % 2 else shipped
            cgw.render(ecds_only=True, policy=policy_with(tmp_path, f"art-{k}", art))
            time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert wait_version(cgw, "art-8")
    # Both artifacts catch the prompt (the retrained one too); benign text passes.
    bad = [(c, s) for c, s in results if s != (200, "usgov" if c else "commercial")]
    assert len(results) > 60 and not bad, f"{len(bad)} failed of {len(results)}: {bad[:5]}"
    # The record names the policy in force, whose digest covers the artifact's.
    cgw.settle()
    start = cgw.mark()
    cgw.chat(BENIGN, US)
    rec = cgw.audit_after(start)[0]
    assert rec["policy"]["version"] == "art-8"


def test_a_tampered_artifact_is_refused_and_the_old_one_keeps_serving(cgw, tmp_path):
    good = shipped_artifact()
    cgw.render(ecds_only=True, policy=policy_with(tmp_path, "art-good", good))
    assert wait_version(cgw, "art-good")
    tampered = bytearray(good)
    tampered[len(tampered) // 2] ^= 0x01
    # Its data changed, the digest it is named by did not.
    bad = policy_with(tmp_path, "art-tampered", bytes(tampered), sha=hashlib.sha256(good).hexdigest())
    cgw.render(ecds_only=True, policy=bad)
    time.sleep(1.0)
    assert not wait_version(cgw, "art-tampered", timeout=2.0, streak=1)
    assert "is not the policy's sha256" in cgw.log()
    assert cgw.chat(ONLY_MODEL, US).headers.get("x-itar-destination") == "usgov"
    assert cgw.chat(BENIGN, US).headers.get("x-itar-destination") == "commercial"


POLICY_CLI = ROOT / "target" / "release" / "itar-policy"


def run_cli(*args):
    import subprocess
    return subprocess.run([str(POLICY_CLI), *map(str, args)], capture_output=True, text=True)


def test_train_reads_folders_is_deterministic_and_the_artifact_works(tmp_path):
    pos, neg = tmp_path / "itar", tmp_path / "released"
    for d in (pos, neg):
        (d / "sub").mkdir(parents=True)
    for i in range(12):
        (pos / "sub" / f"r{i}.md").write_text(
            f"Seeker gimbal limit {40 + i}.5 deg, homing ping interval 1.{i} s, ref DWG 4471-{i:03d}; retune the loop gains")
        (neg / f"n{i}.txt").write_text(f"Cafeteria menu for week {i}: soup, salad and a vegetarian option on Friday.")
    (pos / "scan.pdf").write_bytes(b"%PDF-1.7 not read")
    outs = []
    for k in range(2):
        art = tmp_path / f"m{k}.cls"
        r = run_cli("train", "--label", "ITAR", "--positive", pos, "--negative", neg, "--out", art, "--folds", "3")
        assert r.returncode == 0, r.stderr
        outs.append(art.read_bytes())
    assert outs[0] == outs[1], "the same inputs give the same bytes"
    assert "read 12 positive and 12 negative documents" in r.stdout
    assert "scan.pdf (not a text format this tool reads)" in r.stdout
    assert "3-fold cross-validation" in r.stdout and "features that weigh most" in r.stdout
    # Put it in a policy (no corroboration: a toy model) and explain a text with it.
    pol = json.loads((ROOT / "policies" / "default.json").read_text())
    pol["classifiers"] = [{"label": "ITAR", "threshold": 0.9, "file": "m0.cls",
                           "sha256": hashlib.sha256(outs[0]).hexdigest()}]
    p = tmp_path / "toy.json"
    p.write_text(json.dumps(pol))
    r = run_cli("explain", p, "--scores", "seeker gimbal limit 41.5 deg, retune the loop gains")
    assert r.returncode == 0, r.stderr
    assert any(line.startswith("classifier.ITAR") and "fires" in line for line in r.stdout.splitlines()), r.stdout
    # `inline` gives what the filter reads; a wrong digest is refused.
    r = run_cli("inline", p, "--out", tmp_path / "inlined.json")
    assert r.returncode == 0 and json.loads((tmp_path / "inlined.json").read_text())["classifiers"][0]["data"]
    pol["classifiers"][0]["sha256"] = "0" * 64
    p.write_text(json.dumps(pol))
    r = run_cli("check", p)
    assert r.returncode == 1 and "is not the" in r.stderr


def test_compare_names_what_a_candidate_decides_differently(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "nozzle.txt").write_text(ONLY_MODEL)
    (docs / "menu.txt").write_text(BENIGN)
    rules_only = policy_with(tmp_path, "rules-only", classifiers=False)
    r = run_cli("compare", rules_only, ROOT / "policies" / "default.json", docs)
    assert r.returncode == 0, r.stderr
    assert "nozzle.txt\tallow -> control\t[] -> [classifier.ITAR]" in r.stdout, r.stdout
    assert "2 documents, 1 decided differently" in r.stdout
    assert "allow -> allow: 1" in r.stdout
