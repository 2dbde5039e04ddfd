"""Fault matrix through real Envoy (docs/failure-modes.md): one test per fault. Each asserts what
the client sees, that nothing reached an upstream uninspected (stand-in recordings), and that the
request left exactly one audit record where Envoy writes one.

Own stand-ins and gateways on ports BASE+200 to BASE+299 (conftest.BASE, ITAR_TEST_PORT_BASE), so
this file runs beside other test sessions: +201 to +204 stand-ins, +210/211 the main gateway,
+220/221 a gateway whose upstreams are broken (commercial: a raw server that resets mid-stream on
+297; foreign: nothing listening on +298), +230/231 a gateway whose audit file is /dev/full,
+240/241 a gateway for the policy hot swap.
"""
from __future__ import annotations

import gzip
import http.client
import json
import pathlib
import socket
import threading
import time
import urllib.request

import pytest

from conftest import BASE, DESTINATIONS, ROOT, Gateway, Standins, b64, token, wasm_only

US = token(sub="faults", clearance="SECRET")
SECRET = "SECRET//NOFORN\n(S//NF) Battery relocation schedule."
RESET_PORT = BASE + 297
DEAD_PORT = BASE + 298


@pytest.fixture(scope="module")
def standins(tmp_path_factory):
    d = tmp_path_factory.mktemp("fault-upstreams")
    s = Standins(d, {n: BASE + 201 + i for i, n in enumerate(DESTINATIONS)})
    yield s
    s.stop()


@pytest.fixture(scope="module")
def gw(workdir, standins):
    g = Gateway(workdir / "gw-faults", standins, port=BASE + 210, admin=BASE + 211)
    yield g
    g.stop()


class Mark:
    """What the audit log and the recordings held before a test."""

    def __init__(self, g: Gateway, s: Standins):
        g.settle()
        self.g, self.s = g, s
        self.audit_start = g.mark()
        self.rec = {n: len(s.records(n)) for n in s.ports}

    def new(self, name: str) -> list[dict]:
        return self.s.records(name)[self.rec[name]:]

    def bodies(self) -> str:
        return "\n".join(r.get("body", r.get("body_b64", "")) for n in self.s.ports for r in self.new(n))

    def audit(self, n: int = 1) -> list[dict]:
        self.g.audit_after(self.audit_start, n)
        self.g.settle()
        return self.g.audit()[self.audit_start:]


@pytest.fixture
def mark(gw, standins):
    return Mark(gw, standins)


def alive(g: Gateway) -> None:
    r = g.chat("still there?", US)
    assert r.status == 200, r


# --- a raw upstream that sends SSE headers and half an event, then closes ----------------------

class ResetServer:
    def __init__(self, port: int):
        self.sock = socket.create_server(("127.0.0.1", port))
        self.sock.settimeout(0.2)
        self.received: list[bytes] = []
        self.stop_flag = False
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self):
        while not self.stop_flag:
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            with c:
                c.settimeout(5)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = c.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                n = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        n = int(line.split(b":")[1])
                while len(body) < n:
                    chunk = c.recv(65536)
                    if not chunk:
                        break
                    body += chunk
                self.received.append(body)
                ev1 = b'data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hello "}}]}\n\n'
                part = b'data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"SECRET//NO'
                c.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
                for p in (ev1, part):
                    c.sendall(b"%x\r\n%s\r\n" % (len(p), p))
                    time.sleep(0.05)
                c.shutdown(socket.SHUT_RDWR)

    def close(self):
        self.stop_flag = True
        self.t.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def broken(workdir, standins):
    """A gateway whose commercial upstream resets mid-stream and whose foreign upstream is down."""
    srv = ResetServer(RESET_PORT)

    class Ups:
        ports = {"onprem": standins.ports["onprem"], "usgov": standins.ports["usgov"],
                 "commercial": RESET_PORT, "foreign": DEAD_PORT}

    g = Gateway(workdir / "gw-broken", Ups(), port=BASE + 220, admin=BASE + 221)
    yield g, srv
    g.stop()
    srv.close()


# --- the matrix -----------------------------------------------------------------------------------

def test_upstream_down(broken, standins):
    g, _ = broken
    g.settle()
    start = g.mark()
    r = g.chat("Translate 'good morning' to German.", US, model="mistral-large")
    assert r.status == 503, r
    assert r.json()["error"]["code"] == "upstream_unavailable"
    [a] = g.audit_after(start)
    assert a["decision"] == "allow" and a["destination"] == "foreign"
    assert a["response_status"] == 503  # the record shows the request was decided, then failed upstream
    print("upstream down:", {k: a.get(k) for k in ("decision", "response_status", "response_decision", "response_reason")})
    # Controlled content is still refused before any connection is tried.
    r = g.chat(SECRET, US, model="mistral-large")
    assert r.status == 403
    assert len(g.audit_after(start, 2)) == 2


def test_upstream_slow_still_answered_and_audited(gw, mark):
    t0 = time.time()
    r = gw.chat("hello, slowly", US, headers={"x-standin-delay-ms": "2500"})
    assert r.status == 200, r
    assert time.time() - t0 >= 2.4
    [a] = mark.audit()
    assert a["decision"] == "allow"
    assert len(mark.new("commercial")) == 1


def test_upstream_reset_mid_stream(broken):
    g, srv = broken
    g.settle()
    start = g.mark()
    before = len(srv.received)
    conn = http.client.HTTPConnection("127.0.0.1", g.port, timeout=10)
    body = json.dumps({"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": "hi"}]})
    conn.request("POST", "/v1/chat/completions", body, {"content-type": "application/json",
                                                        "authorization": f"Bearer {US}"})
    r = conn.getresponse()
    assert r.status == 200  # headers were already on their way when the upstream went away
    got = b""
    try:
        while True:
            chunk = r.read1(65536)
            if not chunk:
                break
            got += chunk
    except (http.client.IncompleteRead, ConnectionError) as e:
        got += getattr(e, "partial", b"") or b""
    conn.close()
    assert len(srv.received) == before + 1
    # The complete event went through inspection and out, but for the few bytes the hold-back
    # keeps until the block ends (a block that never ends releases nothing more).
    assert b"Hell" in got
    assert b"SECRET//NO" not in got  # the half event never reached the client
    [a] = g.audit_after(start)
    assert a["destination"] == "commercial" and a["decision"] == "allow"
    print("reset:", got[-300:], {k: a.get(k) for k in ("decision", "response_status", "response_decision", "response_reason", "stream_held_max")})
    # The VM is fine: the next request is decided normally.
    r = g.chat(SECRET, US)
    assert r.status == 403


def test_client_gone_mid_stream(gw, mark):
    reply = "word " * 400  # 2,000 chars: 125 deltas of 16 chars, 100 ms apart
    body = json.dumps({"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": "stream"}]})
    s = socket.create_connection(("127.0.0.1", gw.port), timeout=10)
    script = gw.standins.script({"x-standin-reply-b64": b64(reply), "x-standin-chunk-delay-ms": "100"})
    req = (f"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
           f"authorization: Bearer {US}\r\nx-standin-script: {script['x-standin-script']}\r\n"
           f"content-length: {len(body)}\r\n\r\n{body}")
    s.sendall(req.encode())
    first = s.recv(4096)
    assert b"200" in first.split(b"\r\n")[0]
    time.sleep(0.3)
    s.close()  # gone, with ~12 s of stream still to come
    time.sleep(1.0)
    alive(gw)
    lines = mark.audit(2)
    streamed = [a for a in lines if a.get("stream")]
    assert len(streamed) == 1, lines
    assert len(lines) == 2
    assert streamed[0]["destination"] == "commercial"
    print("client gone:", {k: streamed[0].get(k) for k in ("decision", "response_status", "response_decision", "response_reason", "response_bytes")})


def test_malformed_json(gw, mark):
    r = gw.post("/v1/chat/completions", b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "SECRET//NOFORN', US)
    assert r.status == 400 and r.json()["error"]["code"] == "malformed_json"
    assert mark.bodies() == ""
    [a] = mark.audit()
    assert a["decision"] == "reject"


def test_duplicate_keys_refused(gw, mark):
    # A gateway and a provider that read different copies of "model" (or "messages") would see
    # different requests: refused, nothing forwarded.
    for body in (b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], "model": "llama-3.1-70b"}',
                 b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], "messages": []}'):
        r = gw.post("/v1/chat/completions", body, US)
        assert r.status == 400 and r.json()["error"]["code"] == "unexpected_shape", r.body
    assert mark.bodies() == ""
    assert [a["reason"] for a in mark.audit()] == ["unexpected_shape", "unexpected_shape"]


def test_invalid_utf8(gw, mark):
    r = gw.post("/v1/messages", b'{"model": "claude-sonnet-5-5", "max_tokens": 5, "messages": [{"role":"user","content":"SECRET\xc0//NOFORN"}]}', US)
    assert r.status == 400 and r.json()["type"] == "error"
    assert mark.bodies() == ""
    [a] = mark.audit()
    assert a["reason"] == "invalid_utf8"


def test_deeply_nested_json(gw, mark):
    depth = 10_000
    body = b'{"model": "gpt-4o", "messages": ' + b"[" * depth + b"]" * depth + b"}"
    r = gw.post("/v1/chat/completions", body, US)
    assert r.status == 400, r
    assert r.json()["error"]["code"] == "malformed_json"  # serde_json's recursion limit, not a crash
    deep_obj = b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "x", "meta": ' + b'{"a":' * depth + b"1" + b"}" * depth + b"}]}"
    assert gw.post("/v1/chat/completions", deep_obj, US).status == 400
    assert mark.bodies() == ""
    assert len(mark.audit(2)) == 2
    alive(gw)


def test_ten_thousand_messages(gw, mark):
    msgs = [{"role": "user", "content": f"message {i}"} for i in range(10_000)]
    r = gw.post("/v1/chat/completions", {"model": "gpt-4o", "messages": msgs}, US)
    assert r.status == 200, r
    msgs[9_999]["content"] = SECRET  # the last of 10,000 is read too
    r = gw.post("/v1/chat/completions", {"model": "gpt-4o", "messages": msgs}, US)
    assert r.status == 403, r
    assert len(mark.new("commercial")) == 1 and "SECRET//NOFORN" not in mark.bodies()
    lines = mark.audit(2)
    assert [a["decision"] for a in lines] == ["allow", "block"]


def test_oversize_body(gw, mark):
    big = SECRET + " " + "a " * (600 * 1024)
    r = gw.chat(big, US)
    assert r.status == 413, r
    assert mark.bodies() == ""
    [a] = mark.audit()
    assert a["reason"] == "body_too_large"


def test_gzip_body(gw, mark):
    body = gzip.compress(json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": SECRET}]}).encode())
    r = gw.post("/v1/chat/completions", body, US, {"content-encoding": "gzip"})
    assert r.status == 415, r
    assert mark.bodies() == ""
    [a] = mark.audit()
    assert a["reason"] == "content_encoded"


def test_multipart_body(gw, mark):
    boundary = "XyZ"
    body = (f"--{boundary}\r\ncontent-disposition: form-data; name=\"prompt\"\r\n\r\n{SECRET}\r\n--{boundary}--\r\n").encode()
    r = gw.post("/v1/chat/completions", body, US, {"content-type": f"multipart/form-data; boundary={boundary}"})
    assert r.status == 415, r
    assert mark.bodies() == ""
    [a] = mark.audit()
    assert a["decision"] == "reject"


def test_duplicate_and_forged_gateway_headers(gw, mark):
    s = socket.create_connection(("127.0.0.1", gw.port), timeout=10)
    body = json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "hello"}]})
    req = (f"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
           f"authorization: Bearer {US}\r\nx-itar-destination: foreign\r\nx-itar-destination: usgov\r\n"
           f"x-itar-decision: allow\r\nx-itar-rl-user: someone-else\r\nx-itar-policy: forged\r\n"
           f"content-length: {len(body)}\r\nconnection: close\r\n\r\n{body}")
    s.sendall(req.encode())
    resp = b""
    while chunk := s.recv(65536):
        resp += chunk
    s.close()
    assert resp.startswith(b"HTTP/1.1 200"), resp[:200]
    assert mark.new("foreign") == [] and mark.new("usgov") == []
    [rec] = mark.new("commercial")
    h = rec["headers"]
    assert h["x-itar-destination"] == "commercial"
    assert "forged" not in json.dumps(h) and "someone-else" not in json.dumps(h)
    # Marked content with a forged route header is still refused.
    assert gw.chat(SECRET, US, headers={"x-itar-destination": "usgov", "x-itar-decision": "allow"}).status == 403
    assert len(mark.audit(2)) == 2


def test_missing_token(gw, mark):
    r = gw.chat("hello", None)
    assert r.status == 401 and r.json()["error"]["code"] == "unauthenticated"
    r = gw.messages(SECRET, None)
    assert r.status == 401 and r.json()["type"] == "error"
    assert mark.bodies() == ""
    assert [a["reason"] for a in mark.audit(2)] == ["unauthenticated", "unauthenticated"]


@wasm_only("no VM and no failure_policy: a panic is caught per callback and answered 500 (docs/deployment.md, 'Native module')")
def test_vm_panic_policy_is_fail_closed(gw):
    """The filter has no panicking path to trigger (clippy denies unwrap/expect/panic; the fuzz
    targets look for the rest), so a VM panic cannot be provoked from outside. What can be checked:
    the gateway runs the filter with failure_policy FAIL_CLOSED (never FAIL_OPEN), so a panicked VM
    answers 503 instead of letting traffic past (ENVOY-FACTS; docs/failure-modes.md)."""
    rendered = "\n".join(p.read_text() for p in (gw.dir / "envoy").rglob("*.yaml"))
    assert "failure_policy: FAIL_CLOSED" in rendered
    assert "failure_policy: FAIL_OPEN" not in rendered and "failure_policy: FAIL_RELOAD" not in rendered
    with urllib.request.urlopen(f"http://127.0.0.1:{gw.admin}/config_dump?include_eds", timeout=5) as r:
        live = r.read().decode()
    assert "FAIL_CLOSED" in live and "FAIL_OPEN" not in live  # what Envoy actually runs


def test_bad_policy_pushed_old_keeps_serving(workdir, standins, tmp_path):
    g = Gateway(workdir / "gw-faults-swap", standins, port=BASE + 240, admin=BASE + 241)
    try:
        m = Mark(g, standins)
        assert g.chat("hello", US).status == 200
        broken = json.loads((ROOT / "policies" / "default.json").read_text())
        broken["signals"].append({"id": "broken", "regex": "(unclosed"})
        # (render-envoy itself refuses a file that is not JSON, so each is JSON but not a policy)
        for bad in ('{"id": "x", "version": "1", "endpoints": "nope"}', json.dumps(broken), "{}"):
            p = tmp_path / "bad.json"
            p.write_text(bad)
            g.render(ecds_only=True, policy=p)
            time.sleep(0.6)
            assert g.chat("hello again", US).status == 200
            assert g.chat(SECRET, US).status == 403
        assert "policy rejected" in g.log()
        assert "SECRET//NOFORN" not in m.bodies()
        assert len(m.audit(7)) == 7
    finally:
        g.stop()


class FullDiskGateway(Gateway):
    """A gateway whose audit file is /dev/full (every write fails with ENOSPC)."""

    def render(self, ecds_only: bool = False, policy=None):
        real = self.audit_path
        self.audit_path = pathlib.Path("/dev/full")
        try:
            super().render(ecds_only, policy)
        finally:
            self.audit_path = real


def test_audit_disk_full(workdir, standins):
    if not pathlib.Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    g = FullDiskGateway(workdir / "gw-full", standins, port=BASE + 230, admin=BASE + 231)
    try:
        m = Mark(g, standins)
        for _ in range(3):
            assert g.chat("hello", US).status == 200
            assert g.chat(SECRET, US).status == 403
        time.sleep(0.5)  # several flush intervals
        assert g.proc.poll() is None, "Envoy exited"
        assert len(m.new("commercial")) == 3 and "SECRET//NOFORN" not in m.bodies()
        stats = g.stats("filesystem")
        print("filesystem stats:", stats)
        # Envoy counts the failed writes; nothing else tells the client or the operator.
        assert stats.get("filesystem.write_failed", 0) >= 1, stats
    finally:
        g.stop()
