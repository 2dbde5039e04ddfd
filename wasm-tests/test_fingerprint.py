"""Document fingerprints inside real Envoy (docs/learning.md, "Document fingerprints"): an artifact
built by `itar-policy fingerprint` from a folder, inlined into the policy; a request holding a
reformatted excerpt of a fingerprinted document is rerouted to the approved endpoint, its audit
record names the document id and the artifact and holds no text; an unrelated request passes; an
excerpt in a buffered answer from a commercial model is blocked; the CLI is deterministic, lists
what it skips and refuses a wrong digest."""
import hashlib
import json
import random
import subprocess
import time

import pytest

from conftest import BASE, ROOT, Gateway, b64, token

US = token(sub="fingerprint-user")
POLICY_CLI = ROOT / "target" / "release" / "itar-policy"
SYL = ["ka", "ro", "ven", "dal", "mi", "tor", "qua", "sel", "pha", "nix", "bor", "el", "ustr", "gan", "fe"]


def run_cli(*args):
    return subprocess.run([str(POLICY_CLI), *map(str, args)], capture_output=True, text=True)


def document(seed: int, words: int = 400) -> str:
    r = random.Random(seed)
    out = []
    for i in range(words):
        out.append("".join(r.choice(SYL) for _ in range(r.randint(1, 3))))
        if i % 12 == 11:
            out[-1] += "."
    return " ".join(out)


def reformatted(doc: str, at: int, n: int) -> str:
    """Words at..at+n upper-cased, a comma and a line break between words, Cyrillic look-alikes."""
    words = doc.split()[at:at + n]
    return ",\n".join(words).upper().replace("A", "\u0410").replace("E", "\u0415").replace("O", "\u041e")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("fp")
    docs = d / "controlled"
    (docs / "sub").mkdir(parents=True)
    texts = {}
    for i in range(4):
        p = docs / "sub" / f"spec-{i}.md"
        texts[p.name] = document(i + 1)
        p.write_text(texts[p.name])
    (docs / "drawing.pdf").write_bytes(b"%PDF-1.7 not read")
    art = d / "itar.fp"
    r = run_cli("fingerprint", "--label", "ITAR", "--out", art, "--map", d / "ids.tsv", docs)
    assert r.returncode == 0, r.stderr
    ids = dict(line.split("\t")[::-1] for line in (d / "ids.tsv").read_text().splitlines())
    pol = json.loads((ROOT / "policies" / "default.json").read_text())
    pol["version"] = "with-fingerprints"
    pol["fingerprints"] = [{"label": "ITAR", "file": "itar.fp",
                            "sha256": hashlib.sha256(art.read_bytes()).hexdigest()}]
    src = d / "policy.json"
    src.write_text(json.dumps(pol))
    r = run_cli("inline", src, "--out", d / "inlined.json")
    assert r.returncode == 0, r.stderr
    return {"dir": d, "docs": docs, "texts": texts, "ids": ids, "art": art, "src": src,
            "policy": d / "inlined.json", "cli": r}


@pytest.fixture(scope="module")
def fgw(workdir, standins, corpus):
    g = Gateway(workdir / "gw-fingerprint", standins, policy=corpus["policy"], port=BASE + 730, admin=BASE + 731)
    yield g
    g.stop()


def test_an_excerpt_is_rerouted_and_the_record_names_the_document_not_the_text(fgw, corpus):
    text = corpus["texts"]["spec-2.md"]
    doc_id = corpus["ids"][str(corpus["docs"] / "sub" / "spec-2.md")]
    excerpt = reformatted(text, 150, 40)
    fgw.settle()
    start = fgw.mark()
    r = fgw.chat(f"Please tighten this paragraph:\n{excerpt}\nThanks.", US)
    assert r.status == 200 and r.headers["x-itar-destination"] == "usgov", (r.status, r.headers)
    rec = fgw.audit_after(start)[0]
    assert rec["decision"] == "reroute", rec
    lab = next(lab for lab in rec["labels"] if "fingerprint.ITAR" in lab["rules"])
    assert lab["features"] == [f"doc:{doc_id}"], lab
    assert lab["spans"] and lab["spans"][0]["location"] == "/messages/0/content"
    assert {"kind": "fingerprint", "label": "ITAR",
            "sha256": hashlib.sha256(corpus["art"].read_bytes()).hexdigest()} in rec["policy"]["artifacts"]
    line = json.dumps(rec, ensure_ascii=False).lower()
    assert not any(w.lower() in line for w in text.split()[150:190] if len(w) > 7), line
    # Unrelated text in the same made-up words passes to the commercial model.
    start = fgw.mark()
    r = fgw.chat(f"Please tighten this paragraph:\n{document(99)}", US)
    assert r.status == 200 and r.headers["x-itar-destination"] == "commercial", (r.status, r.headers)
    rec = fgw.audit_after(start)[0]
    assert rec["decision"] == "allow" and not rec["labels"], rec


def test_an_excerpt_in_a_buffered_answer_is_blocked(fgw, corpus):
    excerpt = reformatted(corpus["texts"]["spec-0.md"], 20, 45)
    start = fgw.mark()
    r = fgw.chat("Write me a paragraph.", US, headers={"x-standin-reply-b64": b64(f"Here it is: {excerpt}")})
    assert r.status == 403, r
    assert r.json()["error"]["code"] == "controlled_content_in_response"
    rec = fgw.audit_after(start)[0]
    assert rec["response_decision"] == "block", rec
    assert any("fingerprint.ITAR" in lab["rules"] for lab in rec["response_labels"]), rec


def test_the_cli_is_deterministic_lists_skipped_files_and_check_verifies(corpus):
    out = corpus["dir"] / "again.fp"
    r = run_cli("fingerprint", "--label", "ITAR", "--out", out, corpus["docs"])
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == corpus["art"].read_bytes(), "the same inputs give the same bytes"
    assert "drawing.pdf (not a text format this tool reads)" in r.stdout
    assert "read 4 documents" in r.stdout and "document ids -> paths" in r.stdout
    # The artifact holds no text: no word of a document appears in it.
    art = corpus["art"].read_bytes()
    assert not any(w.encode() in art for t in corpus["texts"].values() for w in t.split() if len(w) > 7)
    r = run_cli("check", corpus["policy"])
    assert r.returncode == 0 and "artifact fingerprint.ITAR" in r.stdout, r.stdout + r.stderr
    pol = json.loads(corpus["src"].read_text())
    pol["fingerprints"][0]["sha256"] = "0" * 64
    bad = corpus["dir"] / "bad.json"
    bad.write_text(json.dumps(pol))
    r = run_cli("check", bad)
    assert r.returncode == 1 and "fingerprints" in r.stderr and "is not the" in r.stderr, r.stderr


def test_an_artifact_swapped_alone_takes_effect(fgw, corpus):
    """The same policy source (same version) with an artifact rebuilt without one document: a new
    policy digest, and that document's excerpts pass once every worker has it; the others are
    still caught. Then the first artifact again."""
    d = corpus["dir"]
    fewer = d / "fewer"
    (fewer / "sub").mkdir(parents=True)
    for name in ("spec-0.md", "spec-1.md", "spec-2.md"):
        (fewer / "sub" / name).write_text(corpus["texts"][name])
    art = d / "fewer.fp"
    assert run_cli("fingerprint", "--label", "ITAR", "--out", art, fewer).returncode == 0
    pol = json.loads(corpus["src"].read_text())
    pol["fingerprints"][0].update(file="fewer.fp", sha256=hashlib.sha256(art.read_bytes()).hexdigest())
    src = d / "policy-fewer.json"
    src.write_text(json.dumps(pol))
    assert run_cli("inline", src, "--out", d / "inlined-fewer.json").returncode == 0
    digests = [run_cli("digest", p).stdout.strip() for p in (corpus["policy"], d / "inlined-fewer.json")]
    assert digests[0] and digests[1] and digests[0] != digests[1], digests
    gone = reformatted(corpus["texts"]["spec-3.md"], 30, 40)
    kept = reformatted(corpus["texts"]["spec-1.md"], 30, 40)

    def settles(dest: str) -> bool:
        end, seen = time.time() + 15, 0
        while time.time() < end:
            r = fgw.chat(gone, US)
            seen = seen + 1 if r.status == 200 and r.headers.get("x-itar-destination") == dest else 0
            if seen >= 12:
                return True
            time.sleep(0.02)
        return False

    fgw.render(ecds_only=True, policy=d / "inlined-fewer.json")
    assert settles("commercial")
    assert fgw.chat(kept, US).headers.get("x-itar-destination") == "usgov"
    fgw.render(ecds_only=True, policy=corpus["policy"])
    assert settles("usgov")
