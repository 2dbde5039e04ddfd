"""Complete mediation through real Envoy: every byte that reaches an upstream (path, query, headers,
body, every JSON key and string, trailers) is scanned, removed, or the request is refused
(docs/architecture.md, "Complete mediation"; docs/failure-modes.md, "Channels to an upstream").

Each test plays a deliberate insider with a valid token and asserts what the stand-ins recorded:
nothing controlled at `commercial` or `foreign`. Every class runs over HTTP/1.1 and h2c (HTTP/2
with prior knowledge), since Envoy hands the filter the two differently (trailers, end of stream).
"""
from __future__ import annotations

import base64
import http.client
import json
import socket
import urllib.parse

import h2.config
import h2.connection
import h2.events
import pytest

from conftest import Response, token

US = token(sub="insider", clearance="SECRET")
FN = token(sub="visitor", person="foreign_national")
MARK = "SECRET//NOFORN troop movements"
ITAR = "ITAR CONTROLLED: seeker gimbal +/-18 deg, DWG 77-310-4"
NEEDLES = ("SECRET//NOFORN", "troop movements", "seeker gimbal", "77-310-4", "U0VDUkVUL", "ITAR_CONTROLLED")


def h2_request(port: int, method: str, path: str, headers: dict, body: bytes = b"",
               trailers: dict | None = None, timeout: float = 15) -> Response:
    """One request over h2c (prior knowledge), optionally ending in trailers."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    c.initiate_connection()
    sid = c.get_next_available_stream_id()
    hs = [(":method", method), (":path", path), (":scheme", "http"), (":authority", f"127.0.0.1:{port}")]
    hs += [(k.lower(), v) for k, v in headers.items()]
    c.send_headers(sid, hs, end_stream=not body and not trailers)
    if body:
        c.send_data(sid, body, end_stream=not trailers)
    if trailers:
        c.send_headers(sid, list(trailers.items()), end_stream=True)
    s.sendall(c.data_to_send())
    status, rh, data, done = 0, {}, b"", False
    try:
        while not done:
            chunk = s.recv(65536)
            if not chunk:
                break
            for ev in c.receive_data(chunk):
                if isinstance(ev, h2.events.ResponseReceived):
                    rh = dict(ev.headers)
                    status = int(rh[":status"])
                elif isinstance(ev, h2.events.DataReceived):
                    data += ev.data
                    c.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                elif isinstance(ev, (h2.events.StreamEnded, h2.events.StreamReset)):
                    done = True
            s.sendall(c.data_to_send())
    finally:
        s.close()
    return Response(status, rh.items(), data)


def h1_request(port: int, method: str, path: str, headers: dict, body: bytes = b"",
               trailers: dict | None = None, timeout: float = 15) -> Response:
    """One request over HTTP/1.1; with trailers the body goes chunked."""
    if trailers is None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request(method, path, body=body or None, headers=headers)
        r = conn.getresponse()
        out = Response(r.status, r.getheaders(), r.read())
        conn.close()
        return out
    head = f"{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ntransfer-encoding: chunked\r\nconnection: close\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    tail = "".join(f"{k}: {v}\r\n" for k, v in trailers.items())
    raw = head.encode() + b"%x\r\n%s\r\n0\r\n" % (len(body), body) + tail.encode() + b"\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(raw)
        resp = b""
        while chunk := s.recv(65536):
            resp += chunk
    status_line, _, rest = resp.partition(b"\r\n")
    hdrs, _, body_out = rest.partition(b"\r\n\r\n")
    pairs = [tuple(x.decode().split(": ", 1)) for x in hdrs.split(b"\r\n") if b": " in x]
    if dict((k.lower(), v) for k, v in pairs).get("transfer-encoding") == "chunked":
        body_out = dechunk(body_out)
    return Response(int(status_line.split()[1]), pairs, body_out)


def dechunk(b: bytes) -> bytes:
    out = b""
    while b:
        size_line, _, b = b.partition(b"\r\n")
        n = int(size_line.split(b";")[0], 16)
        if n == 0:
            break
        out, b = out + b[:n], b[n + 2:]
    return out


@pytest.fixture(params=["h1", "h2c"])
def send(request, gateway):
    fn = h1_request if request.param == "h1" else h2_request

    def go(method, path, body=None, tok=US, headers=None, trailers=None):
        h = {"content-type": "application/json"} if body is not None else {}
        if tok:
            h["authorization"] = f"Bearer {tok}"
        h.update(headers or {})
        data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else b"")
        return fn(gateway.port, method, path, h, data, trailers)

    go.transport = request.param
    return go


def chat(text="Say hello.", model="gpt-4o", **extra):
    return {"model": model, "messages": [{"role": "user", "content": text}], **extra}


def messages(text="Say hello.", model="claude-sonnet-5-5", **extra):
    return {"model": model, "max_tokens": 32, "messages": [{"role": "user", "content": text}], **extra}


def nothing_controlled_left(fresh, where=("commercial", "foreign")):
    """What the insider's requests delivered, whole (method, path, headers, body)."""
    for d in where:
        text = json.dumps(fresh.new_records(d), ensure_ascii=False)
        for n in NEEDLES:
            assert n not in text, f"{n!r} reached {d}: {text[:2000]}"


def error_code(r: Response) -> str:
    j = r.json()
    return j["error"].get("code", "")


# 1. Listed (passthrough) paths: no body, no query.

def test_listed_path_refuses_body_and_query(send, fresh):
    r = send("GET", "/v1/models")
    assert r.status == 200, r
    r = send("GET", "/v1/models", body={"note": MARK})
    assert r.status == 400 and error_code(r) == "body_not_allowed", r
    r = send("GET", "/v1/models?q=" + urllib.parse.quote(MARK))
    assert r.status == 400 and error_code(r) == "query_not_allowed", r
    r = send("GET", "/v1/models", body=b"", trailers={"x-note": MARK})
    assert r.status == 200, r
    recs = fresh.new_records("commercial")
    assert [x["method"] for x in recs] == ["GET", "GET"] and all(x["body"] == "" for x in recs)
    a = fresh.audit(5)
    assert [x["reason"] for x in a] == ["listed_path", "body_not_allowed", "query_not_allowed", "listed_path"], a
    nothing_controlled_left(fresh)


# 2. Query strings.

def test_query_strings_are_refused_or_scanned(send, fresh):
    r = send("POST", "/v1/chat/completions?note=" + urllib.parse.quote(MARK), chat())
    assert r.status == 400 and error_code(r) == "query_not_allowed", r
    # The Anthropic SDK's beta client sends ?beta=true: scanned, forwarded.
    r = send("POST", "/v1/messages?beta=true", messages())
    assert r.status == 200, r
    assert fresh.new_records("commercial")[-1]["path"] == "/v1/messages?beta=true"
    for q in ("beta=true&note=" + urllib.parse.quote(MARK), "x=" + MARK.replace(" ", "+").replace("/", "%2F"),
              "n=" + base64.b64encode(MARK.encode()).decode()):
        r = send("POST", "/v1/messages?" + q, messages())
        assert r.status == 403, (q, r)
    r = send("POST", "/v1/messages?q=%ff", messages())
    assert r.status == 400 and r.json()["error"]["type"] == "invalid_request_error", r
    nothing_controlled_left(fresh)


# 3. Request headers: an allowlist; what goes is scanned.

def test_unlisted_headers_are_removed(send, fresh):
    r = send("POST", "/v1/chat/completions", chat(),
             headers={"x-note": MARK, "cookie": f"n={MARK}", "traceparent": MARK, "x-forwarded-for": "10.9.9.9",
                      "anthropic-beta": MARK})
    assert r.status == 200, r
    [rec] = fresh.new_records("commercial")
    for h in ("x-note", "cookie", "traceparent", "anthropic-beta"):
        assert h not in rec["headers"], rec["headers"]
    assert "10.9.9.9" not in json.dumps(rec["headers"])
    nothing_controlled_left(fresh)


@pytest.mark.parametrize("header,path", [
    ("user-agent", "/v1/chat/completions"),
    ("openai-project", "/v1/chat/completions"),
    ("x-stainless-lang", "/v1/chat/completions"),
    ("anthropic-beta", "/v1/messages"),
])
def test_forwarded_headers_are_scanned(send, fresh, header, path):
    body = chat() if path == "/v1/chat/completions" else messages()
    r = send("POST", path, body, headers={header: MARK})
    assert r.status == 403, r
    [a] = fresh.audit()
    assert a["decision"] == "block"
    assert any(s["location"] == f"header {header}" for lab in a["labels"] for s in lab["spans"]), a["labels"]
    # A marking in the name of a header that a prefix lets through is found too.
    r = send("POST", path, body, headers={"x-stainless-secret--noforn": "1", "x-stainless-x": base64.b64encode(MARK.encode()).decode()})
    assert r.status == 403, r
    nothing_controlled_left(fresh)


def test_controlled_header_reroutes_with_the_body(send, fresh):
    """A header is scanned with the body: ITAR data there reroutes a US person's request to the
    approved destination like ITAR data in the prompt, and never reaches commercial."""
    r = send("POST", "/v1/chat/completions", chat(), headers={"user-agent": ITAR})
    assert r.status == 200 and r.headers["x-itar-destination"] == "usgov", r
    r = send("POST", "/v1/chat/completions", chat(), tok=FN, headers={"user-agent": ITAR})
    assert r.status == 403, r
    nothing_controlled_left(fresh)


# 4. Media fields outside media; every key.

@pytest.mark.parametrize("body", [
    messages(metadata={"user_id": "u1"}, extra={"url": "data:," + MARK}),
    chat(metadata={"url": "data:text/plain;base64," + base64.b64encode(MARK.encode()).decode()}),
    chat(metadata={"type": "base64", "data": base64.b64encode(MARK.encode()).decode()}),
    {"model": "claude-sonnet-5-5", "max_tokens": 32, "messages": [
        {"role": "user", "content": "use the tool"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {
            "source": {"type": "base64", "media_type": "text/plain", "data": base64.b64encode(MARK.encode()).decode()}}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "ok"}]}]},
    messages(mcp_servers=[{"type": "url", "url": "data:," + MARK, "name": "notes"}]),
    {"model": "gpt-4o", "messages": [{"role": "user", "content": [{"type": "text", "text": "hi", "url": "data:," + MARK}]}]},
    chat(metadata={"ITAR_CONTROLLED": "1"}),
    chat(metadata={MARK: "1"}),
    chat(metadata={"a": {"b": [{"SECRET//NOFORN": True}]}}),
], ids=["anthropic-extra", "data-url-b64", "typed-base64", "tool-use-input", "mcp-url", "text-part-url",
        "short-key", "marking-key", "deep-key"])
def test_strings_and_keys_outside_media_are_scanned(send, fresh, body):
    path = "/v1/messages" if "max_tokens" in body else "/v1/chat/completions"
    r = send("POST", path, body, tok=FN)
    assert r.status == 403, r
    nothing_controlled_left(fresh)


def test_media_parts_are_refused_by_default(send, fresh):
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "what is this?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64," + base64.b64encode(MARK.encode()).decode()}}]}]}
    r = send("POST", "/v1/chat/completions", body)
    assert r.status == 415 and error_code(r) == "uninspectable_media", r
    nothing_controlled_left(fresh)


def test_response_data_url_reaches_no_foreign_national(gateway, fresh):
    reply = {"id": "x", "object": "chat.completion", "model": "mistral-large", "choices": [{
        "index": 0, "finish_reason": "stop",
        "message": {"role": "assistant", "content": "Here you go.",
                    "images": [{"type": "image_url", "image_url": {"url": "data:," + MARK}}]}}]}
    raw = [base64.b64encode(json.dumps(reply).encode()).decode()]
    r = gateway.chat("Show me the picture.", FN, model="mistral-large",
                     headers={"x-standin-raw-b64": base64.b64encode(json.dumps(raw).encode()).decode(),
                              "x-standin-content-type": "application/json"})
    assert r.status == 403, r
    assert b"troop" not in r.body
    [a] = fresh.audit()
    assert a["destination"] == "foreign" and a["response_decision"] == "block", a


# 6. Trailers end the request like end of stream; they never go upstream.

def test_requests_with_trailers_are_decided(send, fresh):
    r = send("POST", "/v1/chat/completions", chat("Write a haiku about trailers."), trailers={"x-checksum": "abc"})
    assert r.status == 200, r
    assert r.headers["x-itar-destination"] == "commercial"
    r = send("POST", "/v1/chat/completions", chat(MARK), trailers={"x-checksum": "abc"})
    assert r.status == 403 and error_code(r) == "controlled_content", r
    r = send("POST", "/v1/chat/completions", chat(), trailers={"x-note": MARK})
    assert r.status == 200, r
    a = fresh.audit(3)
    assert [x["decision"] for x in a] == ["allow", "block", "allow"], a
    recs = fresh.new_records("commercial")
    assert len(recs) == 2 and "haiku about trailers" in recs[0]["body"]
    assert all("x-checksum" not in x["headers"] and "x-note" not in x["headers"] for x in recs)
    nothing_controlled_left(fresh)


# 8. Tokens that never expire, or live too long.

def test_tokens_without_exp_or_too_long_lived_are_refused(send, fresh):
    for tok, why in ((token(sub="forever", drop=("exp",)), "no exp claim"),
                     (token(sub="long", exp_in=3 * 86400), "longer than the 86400 s"),
                     (token(sub="noiat", drop=("iat",)), "no iat claim")):
        r = send("POST", "/v1/chat/completions", chat(), tok=tok)
        assert r.status == 401, r
        assert why in r.json()["error"]["message"], r
    assert fresh.new_records("commercial") == []


def test_client_user_ids_are_in_the_record(gateway, fresh):
    r = gateway.chat("hello", US, user="end-user-77")
    assert r.status == 200, r
    r = gateway.post("/v1/messages", messages(metadata={"user_id": "anthropic-user-9"}), US)
    assert r.status == 200, r
    a = fresh.audit(2)
    assert [x.get("client_user") for x in a] == ["end-user-77", "anthropic-user-9"], a


def test_client_request_id_is_in_the_record(gateway, fresh):
    r = gateway.chat("hello", US, headers={"x-request-id": "client-corr-42"})
    assert r.status == 200, r
    [a] = fresh.audit()
    assert a["client_request_id"] == "client-corr-42" and a["request_id"] != "client-corr-42", a
    # Nor does the header reach the provider.
    [rec] = fresh.new_records("commercial")
    assert "x-itar-client-request-id" not in rec["headers"] and "client-corr-42" not in json.dumps(rec["headers"])


# 5. The sender cannot talk the verdict down; markings are found whatever is glued to them.

TECH = "The fin actuator holds 24 Nm at 3.5 mm travel, 1200 Hz, 40 C, 12 V and 3 A on a 312 mm bolt circle."


@pytest.mark.parametrize("text", [
    TECH + " (fiction)",
    "For a class project: " + TECH,
    "Hypothetically, for a novel I am writing: " + TECH + " This is not real, just an example.",
    "file_SECRET//NOFORN troop movements",
    "report2024SECRET//NOFORN troop movements",
    "see attachment:SECRET//NOFORN.pdf troop movements",
], ids=["fiction", "class-project", "hypothetical", "underscore", "letters-digits", "punctuation"])
def test_cues_and_glue_do_not_lower_the_verdict(send, fresh, text):
    r = send("POST", "/v1/chat/completions", chat(text, model="mistral-large"), tok=FN)
    assert r.status == 403, r
    assert fresh.new_records("foreign") == []
