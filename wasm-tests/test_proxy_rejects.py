"""Requests Envoy refuses before the filter runs (codec errors, 426, 431, 408, 501, a refused
upgrade, malformed HTTP/2 headers): the client gets the provider's error format with a request id,
each leaves exactly one audit line (decision rejected_by_proxy) with that id, nothing reaches an
upstream, and a flood of them interleaved with normal traffic still verifies clean while an edit
of a sealed record is still found (docs/audit.md, docs/failure-modes.md).

Own stand-ins and gateway on ports BASE+600 to BASE+699 (conftest.BASE, ITAR_TEST_PORT_BASE): +601 to
+604 stand-ins, +610/611 the gateway.
"""
from __future__ import annotations

import json
import re
import socket
import subprocess

import h2.config
import h2.connection
import h2.events
import pytest

from conftest import BASE, DESTINATIONS, ROOT, Gateway, Standins, token

US = token(sub="proxy-rejects", clearance="SECRET")
AUDIT_CLI = ROOT / "target" / "release" / "itar-audit"
OPENAI = "/v1/chat/completions"
ANTHROPIC = "/v1/messages"


@pytest.fixture(scope="module")
def standins(tmp_path_factory):
    s = Standins(tmp_path_factory.mktemp("reject-upstreams"), {n: BASE + 601 + i for i, n in enumerate(DESTINATIONS)})
    yield s
    s.stop()


@pytest.fixture(scope="module")
def gw(workdir, standins):
    # Short header/request timeouts so the 408s come quickly.
    g = Gateway(workdir / "gw-rejects", standins, port=BASE + 610, admin=BASE + 611,
                render_args=["--request-headers-timeout", "1s", "--request-timeout", "2s"])
    yield g
    g.stop()


def upstream_count(standins) -> int:
    return sum(len(standins.records(n)) for n in DESTINATIONS)


def raw(g: Gateway, data: bytes, timeout: float = 5) -> tuple[int, dict, bytes]:
    """Send bytes on a fresh connection; the parsed status, headers and body of the answer."""
    with socket.create_connection(("127.0.0.1", g.port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        try:
            while True:
                c = s.recv(65536)
                if not c:
                    break
                out += c
                # Stop at the end of the answer (Envoy waits up to delayed_close_timeout, 1 s, for
                # the client to close first).
                head, sep, body = out.partition(b"\r\n\r\n")
                m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                if sep and m and len(body) >= int(m.group(1)):
                    break
        except (socket.timeout, ConnectionResetError):
            pass  # Envoy may reset after answering a request whose body it did not read
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and lines[0].startswith("HTTP/") else 0
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    return status, headers, body


def h2_request(g: Gateway, headers: list[tuple[str, str]]) -> tuple[str | None, list[str]]:
    """One h2c request with headers sent as given (no client-side checks); the :status (None when
    Envoy reset the stream or the connection) and the event names."""
    cfg = h2.config.H2Configuration(client_side=True, validate_outbound_headers=False,
                                    normalize_outbound_headers=False, validate_inbound_headers=False)
    c = h2.connection.H2Connection(cfg)
    c.initiate_connection()
    events: list[str] = []
    status = None
    with socket.create_connection(("127.0.0.1", g.port), timeout=5) as s:
        c.send_headers(1, headers, end_stream=True)
        s.sendall(c.data_to_send())
        try:
            while True:
                d = s.recv(65536)
                if not d:
                    break
                for e in c.receive_data(d):
                    events.append(type(e).__name__)
                    if isinstance(e, h2.events.ResponseReceived):
                        status = dict(e.headers).get(b":status", b"").decode()
                    if isinstance(e, (h2.events.StreamEnded, h2.events.StreamReset, h2.events.ConnectionTerminated)):
                        return status, events
                s.sendall(c.data_to_send())
        except (socket.timeout, ConnectionResetError):
            pass
    return status, events


# (name, raw request, status, path family)
HTTP1 = [
    ("lowercase_method", b"get /v1/chat/completions HTTP/1.1\r\nhost: x\r\n\r\n", 400, OPENAI),
    ("http10_without_host", b"GET /v1/chat/completions HTTP/1.0\r\n\r\n", 426, OPENAI),
    ("oversized_headers", b"GET /v1/messages HTTP/1.1\r\nhost: x\r\nx-big: " + b"a" * 70000 + b"\r\n\r\n", 431, OPENAI),
    ("too_many_headers", b"GET /v1/messages HTTP/1.1\r\nhost: x\r\n" + b"".join(b"x-h%d: 1\r\n" % i for i in range(120)) + b"\r\n", 431, OPENAI),
    ("content_length_and_chunked", b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n", 400, OPENAI),
    ("unknown_transfer_encoding", b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ntransfer-encoding: gzip\r\n\r\n", 501, OPENAI),
    ("underscore_header", b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nx_forged: 1\r\ncontent-length: 2\r\n\r\n{}", 400, OPENAI),
    ("headers_too_slow", b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n", 408, OPENAI),
    ("websocket_upgrade", b"GET /v1/messages HTTP/1.1\r\nhost: x\r\nx-request-id: client-ws-1\r\nconnection: upgrade\r\n"
                          b"upgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", 403, ANTHROPIC),
]
OPENAI_TYPES = {400: "invalid_request_error", 403: "permission_error", 408: "invalid_request_error",
                426: "invalid_request_error", 431: "invalid_request_error", 501: "server_error"}
ANTHROPIC_TYPES = {403: "permission_error"}


def request_id_of(body: dict, family: str) -> str:
    if family == ANTHROPIC:
        return body["request_id"]
    m = re.search(r"\(request id ([^)]+)\)", body["error"]["message"])
    assert m, body
    return m.group(1)


@pytest.mark.parametrize("name,data,status,family", HTTP1, ids=[c[0] for c in HTTP1])
def test_http1_rejections_answered_in_provider_format_and_audited(gw, standins, name, data, status, family):
    gw.settle()
    start, ups = gw.mark(), upstream_count(standins)
    got, headers, body = raw(gw, data)
    assert got == status, (got, body)
    assert headers.get("content-type") == "application/json"
    b = json.loads(body)
    if family == ANTHROPIC:
        assert b["type"] == "error" and b["error"]["type"] == ANTHROPIC_TYPES[status], b
        assert b["error"]["message"]
    else:
        assert set(b["error"]) >= {"message", "type", "code"}, b
        assert b["error"]["type"] == OPENAI_TYPES[status], b
    rid = request_id_of(b, family)
    gw.settle()
    lines = gw.audit()[start:]
    assert len(lines) == 1, lines
    rec = lines[0]
    assert rec["schema"] == "itar-audit/2" and "chain" not in rec
    assert rec["decision"] == "rejected_by_proxy", rec
    assert rec["request_id"] == rid and rec["response_status"] == status and rec["reason"], rec
    if name == "websocket_upgrade":
        assert rec["client_request_id"] == "client-ws-1" and rid != "client-ws-1"
    assert "upstream_host" not in rec
    assert upstream_count(standins) == ups


H2_BASE = [(":method", "POST"), (":scheme", "http"), (":authority", "x"), (":path", OPENAI)]
H2 = [
    ("uppercase_header_name", H2_BASE + [("X-Upper", "1")], "http2.invalid.header.field"),
    ("missing_path", H2_BASE[:3], "http2.violation.of.messaging.rule"),
    ("connection_header", H2_BASE + [("connection", "keep-alive")], "http2.invalid.header.field"),
    ("pseudo_header_after_regular", [H2_BASE[0], ("x-a", "1")] + H2_BASE[1:], "http2.invalid.header.field"),
    ("oversized_headers", H2_BASE + [("x-big", "a" * 70000)], "http2.header_list_size_too_large"),
]


@pytest.mark.parametrize("name,headers,reason", H2, ids=[c[0] for c in H2])
def test_h2c_malformed_headers_audited(gw, standins, name, headers, reason):
    """Envoy resets a malformed HTTP/2 request (no HTTP response to put an error body in), but
    the request still leaves exactly one audit line with an Envoy-side request id."""
    gw.settle()
    start, ups = gw.mark(), upstream_count(standins)
    status, events = h2_request(gw, headers)
    assert status is None, (status, events)
    gw.settle()
    lines = gw.audit()[start:]
    assert len(lines) == 1, lines
    rec = lines[0]
    assert rec["decision"] == "rejected_by_proxy" and rec["reason"] == reason, rec
    assert rec["protocol"] == "HTTP/2" and rec["response_status"] == 0
    assert re.fullmatch(r"envoy-\d+-\d+", rec["request_id"]), rec
    assert upstream_count(standins) == ups


def test_h2c_normal_request_still_served(gw, standins):
    """The same h2c client with valid headers gets through (the rejections above are the headers,
    not h2c itself): a 401 from the filter, with its sealed record."""
    gw.settle()
    start = gw.mark()
    status, _ = h2_request(gw, H2_BASE[:3] + [(":path", "/v1/models")])
    assert status and status != "0"
    gw.settle()
    lines = gw.audit()[start:]
    assert len(lines) == 1 and lines[0].get("chain"), lines


def test_client_request_id_kept_and_forged_copy_replaced(gw, standins):
    """x-itar-client-request-id carries the client's x-request-id (Envoy replaces x-request-id),
    a client-sent x-itar-client-request-id is dropped, and none of it reaches the upstream."""
    gw.settle()
    ups = {n: len(standins.records(n)) for n in DESTINATIONS}
    # A refused upgrade is logged by Envoy's own line, which shows the header Envoy built.
    status, _, _ = raw(gw, b"GET /v1/messages HTTP/1.1\r\nhost: x\r\nx-request-id: mine-42\r\n"
                           b"x-itar-client-request-id: forged\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n")
    assert status == 403
    status, _, _ = raw(gw, b"GET /v1/messages HTTP/1.1\r\nhost: x\r\nx-itar-client-request-id: forged\r\n"
                           b"connection: upgrade\r\nupgrade: websocket\r\n\r\n")
    assert status == 403
    gw.settle()
    a, b = gw.audit()[-2:]
    assert a["client_request_id"] == "mine-42" and a["request_id"] != "mine-42"
    assert "client_request_id" not in b, b
    r = gw.chat("hello", US, headers={"x-request-id": "mine-43", "x-itar-client-request-id": "forged"})
    assert r.status == 200, r
    new = [rec for n in DESTINATIONS for rec in standins.records(n)[ups[n]:]]
    assert len(new) == 1
    sent = {k.lower() for k in new[0].get("headers", {})}
    assert "x-itar-client-request-id" not in sent, new[0]


def verify(path):
    return subprocess.run([str(AUDIT_CLI), "verify", "--allow-truncated-start", str(path)],
                          capture_output=True, text=True)


def test_flood_of_malformed_requests_verifies_clean_and_tampering_still_found(gw, standins, tmp_path):
    gw.settle()
    start, ups = len(gw.audit_path.read_text().splitlines()), upstream_count(standins)
    bad = [d for n, d, _, _ in HTTP1 if n not in ("headers_too_slow",)]
    sent_ok = 0
    for i in range(300):
        raw(gw, bad[i % len(bad)])
        if i % 10 == 0:
            assert gw.chat(f"benign {i}", US).status == 200
            sent_ok += 1
            assert gw.chat("SECRET//NOFORN x", US).status == 403
            sent_ok += 1
    gw.settle()
    lines = gw.audit_path.read_text().splitlines()[start:]
    assert len(lines) == 300 + sent_ok
    recs = [json.loads(x) for x in lines]
    assert sum(r.get("decision") == "rejected_by_proxy" for r in recs) == 300
    assert all(r.get("request_id") for r in recs)
    assert upstream_count(standins) == ups + sent_ok // 2
    p = tmp_path / "flood.jsonl"
    p.write_text("\n".join(lines) + "\n")
    out = verify(p)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "OK: 0 findings" in out.stdout and "300 proxy records (rejected_by_proxy 300)" in out.stdout, out.stdout
    # Edit one sealed record that has a successor in its chain: found, and only that.
    by_chain: dict[str, list[int]] = {}
    for i, r in enumerate(recs):
        if r.get("chain"):
            by_chain.setdefault(r["chain"]["id"], []).append(i)
    pos = max(by_chain.values(), key=len)
    k = pos[len(pos) // 2]
    t = list(lines)
    r = json.loads(t[k])
    r["decision"] = "allow" if r["decision"] != "allow" else "block"
    t[k] = json.dumps(r, separators=(",", ":"))
    p2 = tmp_path / "flood-edited.jsonl"
    p2.write_text("\n".join(t) + "\n")
    out = verify(p2)
    assert out.returncode == 1, out.stdout
    assert f":{k + 1}: edited" in out.stdout and "TAMPERED: 1 findings" in out.stdout, out.stdout
