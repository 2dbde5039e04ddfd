"""Tests for standin.py, driven through the official openai/anthropic SDKs.

Run from the repository root:
    .venv/bin/python -m pytest wasm-tests/standin -q
"""

from __future__ import annotations

import base64
import gzip
import http.client
import json
import math
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import anthropic
import openai
import pytest

STANDIN = Path(__file__).with_name("standin.py")
DESTS = ("onprem", "foreign")


def free_ports(count: int, start: int = 18101) -> list[int]:
    ports = []
    port = start
    while len(ports) < count and port < 65535:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                ports.append(port)
            except OSError:
                pass
        port += 1
    return ports


def b64(data: str | bytes) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return base64.b64encode(data).decode("ascii")


def start_standin(tmp: Path, specs: list[str]) -> subprocess.Popen:
    ready = tmp / "ready.json"
    proc = subprocess.Popen(
        [sys.executable, str(STANDIN), "--record-dir", str(tmp / "rec"),
         "--ready-file", str(ready), *specs],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while not ready.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"standin exited early: {proc.stderr.read()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("standin did not become ready")
        time.sleep(0.02)
    return proc


def stop_standin(proc: subprocess.Popen, sig=signal.SIGTERM) -> int:
    proc.send_signal(sig)
    try:
        return proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise


@pytest.fixture(scope="module")
def standin(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("standin")
    ports = dict(zip(DESTS, free_ports(len(DESTS))))
    proc = start_standin(tmp, [f"{n}={p}" for n, p in ports.items()])
    try:
        assert json.loads((tmp / "ready.json").read_text()) == ports
        for name, port in ports.items():
            assert proc.stdout.readline() == f"standin {name} listening on 127.0.0.1:{port}\n"
        yield {"ports": ports, "rec": tmp / "rec", "proc": proc}
    finally:
        assert stop_standin(proc) == 0


@pytest.fixture
def tid():
    """A unique id sent as a header so the request's record can be found."""
    return uuid.uuid4().hex


def oai(standin, dest="onprem") -> openai.OpenAI:
    return openai.OpenAI(base_url=f"http://127.0.0.1:{standin['ports'][dest]}/v1",
                         api_key="x", max_retries=0, timeout=10)


def ant(standin, dest="onprem") -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=f"http://127.0.0.1:{standin['ports'][dest]}",
                               api_key="x", max_retries=0, timeout=10)


def records(standin, tid: str, dest="onprem") -> list[dict]:
    path = standin["rec"] / f"{dest}.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [r for r in map(json.loads, lines) if r["headers"].get("x-test-id") == tid]


def the_record(standin, tid: str, dest="onprem") -> dict:
    recs = records(standin, tid, dest)
    assert len(recs) == 1, recs
    return recs[0]


def default_reply(dest: str, model: str, body: str) -> str:
    return f"Hello from the {dest} stand-in (model {model}). Your request had {len(body)} characters."


def tok(text: str) -> int:
    return math.ceil(len(text) / 4)


# Not a real model name: the SDK warns about deprecated ones.
CLAUDE = "claude-standin-test"

MSGS = [{"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Say hello to the gateway."}]
PROMPT_TOKENS = tok("You are terse.Say hello to the gateway.")


def raw_http(port: int, method: str, path: str, body: bytes = b"",
             headers: dict | None = None) -> tuple[int, dict, list[bytes]]:
    """One request over a raw socket; returns status, headers and the body's
    HTTP chunks exactly as framed on the wire (one element if not chunked)."""
    hdrs = {"Host": f"127.0.0.1:{port}", "Content-Length": str(len(body)),
            "Connection": "close", **(headers or {})}
    req = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items())
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(req.encode() + b"\r\n" + body)
        f = s.makefile("rb")
        status = int(f.readline().split()[1])
        resp_headers = {}
        while (line := f.readline()) not in (b"\r\n", b""):
            k, v = line.decode().split(":", 1)
            resp_headers[k.strip().lower()] = v.strip()
        if resp_headers.get("transfer-encoding") != "chunked":
            return status, resp_headers, [f.read(int(resp_headers["content-length"]))]
        chunks = []
        while True:
            size = int(f.readline().strip(), 16)
            if size == 0:
                assert f.readline() == b"\r\n"
                return status, resp_headers, chunks
            chunks.append(f.read(size))
            assert f.readline() == b"\r\n"


# ---------------------------------------------------------------------- OpenAI

def test_openai_non_stream(standin, tid):
    r = oai(standin).chat.completions.with_raw_response.create(
        model="gpt-4o", messages=MSGS, extra_headers={"x-test-id": tid})
    c = r.parse()
    rec = the_record(standin, tid)
    text = default_reply("onprem", "gpt-4o", rec["body"])
    assert c.object == "chat.completion"
    assert c.model == "gpt-4o"
    assert c.created == 1_700_000_000
    assert c.id.startswith("chatcmpl-")
    assert c.choices[0].message.role == "assistant"
    assert c.choices[0].message.content == text
    assert c.choices[0].finish_reason == "stop"
    assert c.usage.prompt_tokens == PROMPT_TOKENS
    assert c.usage.completion_tokens == tok(text)
    assert c.usage.total_tokens == PROMPT_TOKENS + tok(text)
    # Record: method, path, lowercased headers (incl. auth), body as sent.
    assert rec["destination"] == "onprem"
    assert rec["method"] == "POST" and rec["path"] == "/v1/chat/completions"
    assert rec["headers"]["authorization"] == "Bearer x"
    assert rec["headers"]["content-type"] == "application/json"
    assert json.loads(rec["body"]) == {"model": "gpt-4o", "messages": MSGS}
    assert rec["ts"].endswith("+00:00")


def test_openai_stream_with_usage(standin, tid):
    stream = oai(standin, "foreign").chat.completions.create(
        model="llama-3.1-70b", messages=MSGS, stream=True,
        stream_options={"include_usage": True}, extra_headers={"x-test-id": tid})
    chunks = list(stream)
    rec = the_record(standin, tid, "foreign")
    text = default_reply("foreign", "llama-3.1-70b", rec["body"])
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    content = [c.choices[0].delta.content for c in chunks[1:] if c.choices
               and c.choices[0].delta.content]
    assert 3 <= len(content) <= 4
    assert "".join(content) == text
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == []
    assert chunks[-1].usage.prompt_tokens == PROMPT_TOKENS
    assert chunks[-1].usage.completion_tokens == tok(text)
    assert all(c.usage is None for c in chunks[:-1])
    assert json.loads(rec["body"])["stream"] is True


def test_openai_stream_without_usage(standin, tid):
    chunks = list(oai(standin).chat.completions.create(
        model="gpt-4o", messages=MSGS, stream=True, extra_headers={"x-test-id": tid}))
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.choices and c.usage is None for c in chunks)
    the_record(standin, tid)


def test_openai_stream_helper(standin, tid):
    with oai(standin).chat.completions.stream(
            model="gpt-4o", messages=MSGS, stream_options={"include_usage": True},
            extra_headers={"x-test-id": tid}) as s:
        final = s.get_final_completion()
    rec = the_record(standin, tid)
    assert final.choices[0].message.content == default_reply("onprem", "gpt-4o", rec["body"])
    assert final.usage.prompt_tokens == PROMPT_TOKENS


def test_stream_events_are_separate_http_chunks(standin):
    body = json.dumps({"model": "gpt-4o", "messages": MSGS, "stream": True,
                       "stream_options": {"include_usage": True}}).encode()
    status, headers, chunks = raw_http(standin["ports"]["onprem"], "POST",
                                       "/v1/chat/completions", body,
                                       {"Content-Type": "application/json"})
    assert status == 200
    assert headers["content-type"] == "text/event-stream"
    assert all(c.startswith(b"data: ") and c.endswith(b"\n\n") and c.count(b"\n\n") == 1
               for c in chunks)
    assert chunks[-1] == b"data: [DONE]\n\n"
    assert len(chunks) == 1 + 4 + 1 + 1 + 1  # role, 4 deltas, finish, usage, DONE

    body = json.dumps({"model": "m", "max_tokens": 5, "stream": True,
                       "messages": [{"role": "user", "content": "hi"}]}).encode()
    _, _, chunks = raw_http(standin["ports"]["onprem"], "POST", "/v1/messages", body)
    names = [c.split(b"\n", 1)[0].decode() for c in chunks]
    assert names == ["event: message_start", "event: content_block_start", "event: ping"] + \
        ["event: content_block_delta"] * 4 + \
        ["event: content_block_stop", "event: message_delta", "event: message_stop"]


# ------------------------------------------------------------------- Anthropic

def test_anthropic_non_stream(standin, tid):
    m = ant(standin).messages.create(
        model=CLAUDE, max_tokens=100, system="You are terse.",
        messages=[{"role": "user", "content": [{"type": "text", "text": "Say hello to the gateway."}]}],
        extra_headers={"x-test-id": tid})
    rec = the_record(standin, tid)
    text = default_reply("onprem", CLAUDE, rec["body"])
    assert m.type == "message" and m.role == "assistant"
    assert m.model == CLAUDE
    assert m.id.startswith("msg_")
    assert [b.type for b in m.content] == ["text"]
    assert m.content[0].text == text
    assert m.stop_reason == "end_turn" and m.stop_sequence is None
    assert m.usage.input_tokens == PROMPT_TOKENS
    assert m.usage.output_tokens == tok(text)
    assert rec["path"] == "/v1/messages"
    # This SDK (2.x) sends the api_key as "authorization: Bearer"; older ones
    # used "x-api-key".
    assert rec["headers"].get("x-api-key") == "x" or rec["headers"]["authorization"] == "Bearer x"
    assert "anthropic-version" in rec["headers"]
    assert json.loads(rec["body"])["system"] == "You are terse."


def test_anthropic_stream_events(standin, tid):
    events = list(ant(standin, "foreign").messages.create(
        model=CLAUDE, max_tokens=100, stream=True, system="You are terse.",
        messages=[{"role": "user", "content": "Say hello to the gateway."}],
        extra_headers={"x-test-id": tid}))
    rec = the_record(standin, tid, "foreign")
    text = default_reply("foreign", CLAUDE, rec["body"])
    types = [e.type for e in events]  # the SDK drops "ping"
    assert types[:2] == ["message_start", "content_block_start"]
    assert types[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    deltas = [e.delta.text for e in events if e.type == "content_block_delta"]
    assert 3 <= len(deltas) <= 4 and "".join(deltas) == text
    assert events[0].message.usage.input_tokens == PROMPT_TOKENS
    assert events[-2].delta.stop_reason == "end_turn"
    assert events[-2].usage.output_tokens == tok(text)


def test_anthropic_stream_helper(standin, tid):
    with ant(standin).messages.stream(
            model=CLAUDE, max_tokens=100,
            messages=[{"role": "user", "content": "hi"}],
            extra_headers={"x-test-id": tid}) as s:
        streamed = "".join(s.text_stream)
        final = s.get_final_message()
    rec = the_record(standin, tid)
    text = default_reply("onprem", CLAUDE, rec["body"])
    assert streamed == final.content[0].text == text
    assert final.usage.output_tokens == tok(text)
    assert final.stop_reason == "end_turn"


# ------------------------------------------------------------- control headers

def test_reply_header(standin, tid):
    reply = "Scripted reply with ünïcode — thirty-something chars"
    h = {"x-standin-reply-b64": b64(reply), "x-test-id": tid}
    c = oai(standin).chat.completions.create(model="gpt-4o", messages=MSGS, extra_headers=h)
    assert c.choices[0].message.content == reply
    assert c.usage.completion_tokens == tok(reply)
    chunks = list(oai(standin).chat.completions.create(
        model="gpt-4o", messages=MSGS, stream=True, extra_headers=h))
    deltas = [c.choices[0].delta.content for c in chunks[1:-1]]
    assert deltas == [reply[i:i + 16] for i in range(0, len(reply), 16)]
    events = list(ant(standin).messages.create(
        model="m", max_tokens=5, messages=[{"role": "user", "content": "x"}],
        stream=True, extra_headers=h))
    assert [e.delta.text for e in events if e.type == "content_block_delta"] == deltas
    assert len(records(standin, tid)) == 3


def test_chunks_header(standin, tid):
    pieces = ["My ", "SECRET-", "PART", " number 4"]
    h = {"x-standin-chunks-b64": b64(json.dumps(pieces)), "x-test-id": tid}
    c = oai(standin).chat.completions.create(model="gpt-4o", messages=MSGS, extra_headers=h)
    assert c.choices[0].message.content == "".join(pieces)
    m = ant(standin).messages.create(model="m", max_tokens=5,
                                     messages=[{"role": "user", "content": "x"}], extra_headers=h)
    assert m.content[0].text == "".join(pieces)
    chunks = list(oai(standin).chat.completions.create(
        model="gpt-4o", messages=MSGS, stream=True, extra_headers=h))
    assert [c.choices[0].delta.content for c in chunks[1:-1]] == pieces
    events = list(ant(standin).messages.create(
        model="m", max_tokens=5, messages=[{"role": "user", "content": "x"}],
        stream=True, extra_headers=h))
    assert [e.delta.text for e in events if e.type == "content_block_delta"] == pieces


def test_tool_call_output(standin, tid):
    pieces = ['{"city": ', '"Par', 'is"}']
    h = {"x-standin-chunks-b64": b64(json.dumps(pieces)), "x-standin-output": "tool_call",
         "x-test-id": tid}
    c = oai(standin).chat.completions.create(model="gpt-4o", messages=MSGS, extra_headers=h)
    call = c.choices[0].message.tool_calls[0]
    assert (call.function.name, call.function.arguments) == ("lookup", "".join(pieces))
    assert c.choices[0].finish_reason == "tool_calls"
    chunks = list(oai(standin).chat.completions.create(
        model="gpt-4o", messages=MSGS, stream=True, extra_headers=h))
    assert chunks[0].choices[0].delta.tool_calls[0].function.name == "lookup"
    args = [c.choices[0].delta.tool_calls[0].function.arguments for c in chunks[1:-1]]
    assert args == pieces and chunks[-1].choices[0].finish_reason == "tool_calls"
    m = ant(standin).messages.create(model=CLAUDE, max_tokens=5,
                                     messages=[{"role": "user", "content": "x"}], extra_headers=h)
    assert (m.content[0].type, m.content[0].name, m.content[0].input) == ("tool_use", "lookup", {"city": "Paris"})
    with ant(standin).messages.stream(model=CLAUDE, max_tokens=5,
                                      messages=[{"role": "user", "content": "x"}],
                                      extra_headers=h) as s:
        partial = [e.delta.partial_json for e in s
                   if e.type == "content_block_delta" and e.delta.type == "input_json_delta"]
        final = s.get_final_message()
    assert partial == pieces and final.content[0].input == {"city": "Paris"}
    assert final.stop_reason == "tool_use"
    with pytest.raises(openai.BadRequestError):
        oai(standin).chat.completions.create(model="gpt-4o", messages=MSGS,
                                             extra_headers={"x-standin-output": "refusal"})


def test_raw_replay(standin, tid):
    sse = ('data: {"id":"r1","object":"chat.completion.chunk","created":1,"model":"gpt-4o",'
           '"choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}\n\n'
           'data: {"id":"r1","object":"chat.completion.chunk","created":1,"model":"gpt-4o",'
           '"choices":[{"index":0,"delta":{"content":"lo raw"},"finish_reason":"stop"}]}\n\n'
           'data: [DONE]\n\n').encode()
    cuts = [sse[:7], sse[7:150], sse[150:230], sse[230:]]  # cut mid-event and mid-JSON
    header = b64(json.dumps([b64(c) for c in cuts]))
    chunks = list(oai(standin).chat.completions.create(
        model="gpt-4o", messages=MSGS, stream=True,
        extra_headers={"x-standin-raw-b64": header, "x-test-id": tid}))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Hello raw"
    # On the wire: exactly those pieces, one HTTP chunk each.
    status, headers, wire = raw_http(standin["ports"]["onprem"], "POST",
                                     "/v1/chat/completions", b"{}",
                                     {"x-standin-raw-b64": header, "x-test-id": tid})
    assert status == 200 and headers["content-type"] == "text/event-stream"
    assert wire == cuts
    assert len(records(standin, tid)) == 2


def test_error_status(standin, tid):
    h = {"x-standin-status": "429", "x-test-id": tid}
    with pytest.raises(openai.RateLimitError) as ei:
        oai(standin).chat.completions.create(model="gpt-4o", messages=MSGS, extra_headers=h)
    assert ei.value.status_code == 429
    assert set(ei.value.body) >= {"message", "type", "code"}
    assert ei.value.type == "rate_limit_error"

    h["x-standin-status"] = "529"
    with pytest.raises(anthropic.APIStatusError) as ei:
        ant(standin).messages.create(model="m", max_tokens=5,
                                     messages=[{"role": "user", "content": "x"}], extra_headers=h)
    assert ei.value.status_code == 529
    assert ei.value.body["type"] == "error"
    assert ei.value.body["error"]["type"] == "overloaded_error"

    h["x-standin-status"] = "403"
    with pytest.raises(openai.PermissionDeniedError):
        list(oai(standin).chat.completions.create(model="gpt-4o", messages=MSGS,
                                                  stream=True, extra_headers=h))
    assert len(records(standin, tid)) == 3  # no SDK retries


def test_bad_control_header(standin):
    status, _, body = raw_http(standin["ports"]["onprem"], "POST", "/v1/messages", b"{}",
                               {"x-standin-chunks-b64": "not base64!"})
    assert status == 400
    err = json.loads(body[0])
    assert err["type"] == "error" and err["error"]["type"] == "standin_control_error"


def test_delays(standin, tid):
    t0 = time.monotonic()
    oai(standin).chat.completions.create(model="gpt-4o", messages=MSGS,
                                         extra_headers={"x-standin-delay-ms": "300"})
    assert time.monotonic() - t0 >= 0.3
    t0 = time.monotonic()
    stream = oai(standin).chat.completions.create(
        model="gpt-4o", messages=MSGS, stream=True,
        extra_headers={"x-standin-chunk-delay-ms": "100"})
    stamps = [time.monotonic() - t0 for _ in stream]
    # role, 4 deltas, finish: 5 gaps of 100 ms before [DONE] (6 gaps total)
    assert stamps[-1] >= 0.5
    assert stamps[1] - stamps[0] >= 0.08


def test_gzip(standin, tid):
    h = {"x-standin-content-encoding": "gzip", "x-test-id": tid}
    body = json.dumps({"model": "gpt-4o", "messages": MSGS}).encode()
    status, headers, wire = raw_http(standin["ports"]["onprem"], "POST",
                                     "/v1/chat/completions", body, h)
    assert status == 200 and headers["content-encoding"] == "gzip"
    c = json.loads(gzip.decompress(wire[0]))
    assert c["choices"][0]["message"]["content"] == default_reply(
        "onprem", "gpt-4o", body.decode())
    # The SDK (httpx) decodes it transparently, streaming too.
    c = oai(standin).chat.completions.create(model="gpt-4o", messages=MSGS, extra_headers=h)
    assert c.choices[0].message.content.startswith("Hello from the onprem stand-in")
    chunks = list(oai(standin).chat.completions.create(
        model="gpt-4o", messages=MSGS, stream=True, extra_headers=h))
    assert "".join(c.choices[0].delta.content or "" for c in chunks).startswith("Hello from")
    assert len(records(standin, tid)) == 3


# --------------------------------------------------------- misc HTTP behaviour

def test_models_healthz_404(standin, tid):
    ids = [m.id for m in oai(standin).models.list(extra_headers={"x-test-id": tid})]
    assert ids == ["gpt-4o", "claude-sonnet-5-5", "llama-3.1-70b", "mistral-large"]
    rec = the_record(standin, tid)
    assert rec["method"] == "GET" and rec["path"] == "/v1/models" and rec["body"] == ""

    port = standin["ports"]["foreign"]
    assert raw_http(port, "GET", "/healthz")[2] == [b"ok"]
    status, headers, body = raw_http(port, "GET", "/nope?x=1", headers={"x-test-id": tid})
    assert status == 404 and headers["content-type"] == "application/json"
    assert json.loads(body[0])["error"]["type"] == "not_found_error"
    assert the_record(standin, tid, "foreign")["path"] == "/nope?x=1"


def test_chunked_request_body_and_keepalive(standin, tid):
    conn = http.client.HTTPConnection("127.0.0.1", standin["ports"]["onprem"], timeout=10)
    payload = json.dumps({"model": "gpt-4o", "messages": MSGS})
    parts = [payload[:10].encode(), payload[10:].encode()]
    conn.request("POST", "/v1/chat/completions", body=iter(parts), encode_chunked=True,
                 headers={"x-test-id": tid, "Content-Type": "application/json"})
    r1 = conn.getresponse()
    c = json.loads(r1.read())
    sock = conn.sock
    assert c["choices"][0]["message"]["content"] == default_reply("onprem", "gpt-4o", payload)
    rec = the_record(standin, tid)
    assert rec["headers"]["transfer-encoding"] == "chunked"
    assert rec["body"] == payload
    # Second request on the same (kept-alive) connection.
    conn.request("GET", "/healthz")
    r2 = conn.getresponse()
    assert r2.read() == b"ok" and conn.sock is sock
    conn.close()


def test_binary_body_recorded_as_b64(standin, tid):
    status, _, _ = raw_http(standin["ports"]["onprem"], "POST", "/v1/messages",
                            b"\xff\xfe\x00binary", {"x-test-id": tid})
    assert status == 400
    rec = the_record(standin, tid)
    assert "body" not in rec
    assert base64.b64decode(rec["body_b64"]) == b"\xff\xfe\x00binary"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_clean_exit_on_signal(tmp_path, sig):
    proc = start_standin(tmp_path, ["solo=0"])
    port = json.loads((tmp_path / "ready.json").read_text())["solo"]
    assert port > 0
    assert proc.stdout.readline() == f"standin solo listening on 127.0.0.1:{port}\n"
    # An idle keep-alive connection must not block shutdown.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/healthz")
    assert conn.getresponse().read() == b"ok"
    assert stop_standin(proc, sig) == 0
    conn.close()
    assert (tmp_path / "rec" / "solo.jsonl").exists()
