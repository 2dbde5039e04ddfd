"""Response path through real Envoy: buffered and streamed model output is inspected; controlled
text is redacted or the response is cut off, and nothing leaks in any chunk the client receives."""
import json
import pathlib

import pytest

from conftest import ROOT, b64, post_raw, token

US = token(sub="resp-user", clearance="SECRET")
CORPUS = ROOT / "filter" / "testdata" / "corpus" / "shared" / "streaming.jsonl"


def chunks_header(chunks) -> dict:
    return {"x-standin-chunks-b64": b64(json.dumps(chunks))}


def raw_stream(gateway, path: str, body: dict, headers: dict):
    """POST as the US caller and read the raw response body, write by write as the client
    receives it: (status, headers, reads)."""
    return post_raw(gateway, path, body, headers, {"authorization": f"Bearer {US}"})


def text_of(raw: bytes) -> str:
    out = ""
    for block in raw.decode().split("\n\n"):
        for line in block.splitlines():
            if not line.startswith("data: "):
                continue
            d = line[6:]
            if d == "[DONE]":
                continue
            v = json.loads(d)  # every event the client gets is valid JSON
            for ch in v.get("choices") or []:
                out += (ch.get("delta") or {}).get("content") or ""
            if v.get("type") == "content_block_delta":
                out += v["delta"].get("text", "")
    return out


def test_buffered_response_with_marking_is_blocked(gateway, fresh):
    r = gateway.chat("Summarize the memo.", US, headers={"x-standin-reply-b64": b64("SECRET//NOFORN\nThe battery moves at dawn.")})
    assert r.status == 403, r
    assert r.json()["error"]["code"] == "controlled_content_in_response"
    assert b"NOFORN" not in r.body and b"dawn" not in r.body
    a = fresh.audit()[0]
    assert a["decision"] == "allow" and a["response_decision"] == "block"
    assert any(lab["label"] == "CLASSIFIED" for lab in a["response_labels"])


def test_buffered_response_redacted_with_right_length(gateway, fresh):
    r = gateway.messages("Who is on file?", US, headers={"x-standin-reply-b64": b64("The applicant's SSN is 148-36-7725; all set.")})
    assert r.status == 200, r
    text = r.json()["content"][0]["text"]
    assert text == "The applicant's SSN is [REDACTED:SSN]; all set."
    assert int(r.headers["content-length"]) == len(r.body)
    assert fresh.audit()[0]["response_decision"] == "redact"


def test_buffered_response_usage_captured(gateway, fresh):
    gateway.chat("hello", US)
    a = fresh.audit()[0]
    assert a["usage"]["input_tokens"] >= 1 and a["usage"]["output_tokens"] >= 1
    assert a["response_decision"] == "pass" and len(a["response_text_sha256"]) == 64


@pytest.mark.parametrize("fmt", ["openai", "anthropic"])
def test_stream_split_marking_cut_off(gateway, fresh, fmt):
    chunks = ["Here is the summary.\n", "SEC", "RET//NO", "FORN\n", "Troop movements at dawn."]
    path, body = (("/v1/chat/completions", {"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": "go"}]})
                  if fmt == "openai" else
                  ("/v1/messages", {"model": "claude-sonnet-5-5", "max_tokens": 64, "stream": True, "messages": [{"role": "user", "content": "go"}]}))
    status, headers, reads = raw_stream(gateway, path, body, chunks_header(chunks))
    assert status == 200
    raw = b"".join(reads)
    for piece in reads:
        assert b"NOFORN" not in piece and b"Troop" not in piece
    assert b"controlled_content_in_response" in raw
    assert b"[DONE]" not in raw and b"message_stop" not in raw
    assert "Here is the summary." in text_of(raw)
    a = fresh.audit()[0]
    assert a["response_decision"] == "block" and a["response_reason"] == "controlled_content_in_response"


def test_stream_redaction_through_openai_sdk(gateway, fresh):
    import openai

    client = openai.OpenAI(base_url=gateway.url("/v1"), api_key=US, max_retries=0)
    stream = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "go"}], stream=True,
        stream_options={"include_usage": True},
        extra_headers=gateway.standins.script(
            chunks_header(["My SSN is 148-3", "6-77", "25, please keep it.", " Thanks!"])))
    text = ""
    usage = None
    for ch in stream:
        if ch.choices and ch.choices[0].delta.content:
            text += ch.choices[0].delta.content
        if ch.usage:
            usage = ch.usage
    assert text == "My SSN is [REDACTED:SSN], please keep it. Thanks!"
    assert usage is not None
    a = fresh.audit()[0]
    assert a["response_decision"] == "redact" and a["usage"]["output_tokens"] == usage.completion_tokens


def test_stream_cut_surfaces_in_sdks(gateway, fresh):
    import anthropic
    import openai

    chunks = ["Sure. ", "ITAR CONT", "ROLLED: fin actuator torque 24 Nm"]
    client = openai.OpenAI(base_url=gateway.url("/v1"), api_key=US, max_retries=0)
    got = ""
    with pytest.raises(openai.APIError) as e:
        for ch in client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "go"}],
                                                 stream=True,
                                                 extra_headers=gateway.standins.script(chunks_header(chunks))):
            if ch.choices and ch.choices[0].delta.content:
                got += ch.choices[0].delta.content
    assert "ITAR content" in str(e.value) and "CONTROLLED" not in got
    aclient = anthropic.Anthropic(base_url=gateway.url(), api_key=US, max_retries=0)
    got = ""
    with pytest.raises(anthropic.APIError):
        with aclient.messages.stream(model="claude-sonnet-5-5", max_tokens=64, messages=[{"role": "user", "content": "go"}],
                                     extra_headers=gateway.standins.script(chunks_header(chunks))) as s:
            for t in s.text_stream:
                got += t
    assert "CONTROLLED" not in got


TOOL = {"x-standin-output": "tool_call"}


def stream_request(fmt: str):
    if fmt == "openai":
        return "/v1/chat/completions", {"model": "gpt-4o", "stream": True,
                                        "messages": [{"role": "user", "content": "go"}]}
    return "/v1/messages", {"model": "claude-sonnet-5-5", "max_tokens": 64, "stream": True,
                            "messages": [{"role": "user", "content": "go"}]}


def tool_args_of(raw: bytes) -> str:
    """The tool-call argument text the client received (OpenAI tool_calls deltas, Anthropic
    input_json_delta events), every event valid JSON."""
    out = ""
    for block in raw.decode().split("\n\n"):
        for line in block.splitlines():
            if not line.startswith("data: ") or line[6:] == "[DONE]":
                continue
            v = json.loads(line[6:])
            for ch in v.get("choices") or []:
                for call in (ch.get("delta") or {}).get("tool_calls") or []:
                    out += (call.get("function") or {}).get("arguments") or ""
            if v.get("type") == "content_block_delta" and v["delta"].get("type") == "input_json_delta":
                out += v["delta"]["partial_json"]
    return out


@pytest.mark.parametrize("fmt", ["openai", "anthropic"])
def test_stream_tool_call_arguments_held_back_and_cut(gateway, fresh, fmt):
    """Streamed tool-call arguments are held back and scanned like text: a marking split over
    three events never reaches the client, and the stream ends with the format's error event."""
    chunks = ['{"note": "Here is the summary. ', "SEC", "RET//NO", 'FORN", "detail": "troop movements at dawn"}']
    path, body = stream_request(fmt)
    status, _, reads = raw_stream(gateway, path, body, {**chunks_header(chunks), **TOOL})
    assert status == 200
    for piece in reads:
        assert b"NOFORN" not in piece and b"troop" not in piece
    raw = b"".join(reads)
    assert b"controlled_content_in_response" in raw
    assert b"[DONE]" not in raw and b"message_stop" not in raw
    released = tool_args_of(raw)
    assert released == chunks[0]  # the text before the marking goes on; the marking's start is held
    a = fresh.audit()[0]
    assert a["response_decision"] == "block" and a["response_reason"] == "controlled_content_in_response"


@pytest.mark.parametrize("fmt", ["openai", "anthropic"])
def test_stream_tool_call_arguments_redacted(gateway, fresh, fmt):
    chunks = ['{"name": "Pat", "ssn": "148-3', "6-77", '25", "ok": true}']
    path, body = stream_request(fmt)
    status, _, reads = raw_stream(gateway, path, body, {**chunks_header(chunks), **TOOL})
    assert status == 200
    raw = b"".join(reads)
    assert b"7725" not in raw
    assert json.loads(tool_args_of(raw)) == {"name": "Pat", "ssn": "[REDACTED:SSN]", "ok": True}
    assert fresh.audit()[0]["response_decision"] == "redact"


def test_tool_calls_through_sdks(gateway, fresh):
    """The official clients get benign streamed and buffered tool calls byte for byte, and see a
    cut tool-call stream and a controlled buffered tool call as errors."""
    import anthropic
    import openai

    benign = ['{"city": "Par', 'is", "units": ', '"metric"}']
    controlled = ['{"q": "ITAR CONT', 'ROLLED: fin actuator ', 'torque 24 Nm"}']
    client = openai.OpenAI(base_url=gateway.url("/v1"), api_key=US, max_retries=0)
    aclient = anthropic.Anthropic(base_url=gateway.url(), api_key=US, max_retries=0)
    msgs = [{"role": "user", "content": "weather?"}]

    def script(chunks):
        return gateway.standins.script({**chunks_header(chunks), **TOOL})

    args = "".join(c.choices[0].delta.tool_calls[0].function.arguments or ""
                   for c in client.chat.completions.create(model="gpt-4o", messages=msgs, stream=True,
                                                           extra_headers=script(benign))
                   if c.choices and c.choices[0].delta.tool_calls)
    assert args == "".join(benign)
    with aclient.messages.stream(model="claude-sonnet-5-5", max_tokens=64, messages=msgs,
                                 extra_headers=script(benign)) as s:
        final = s.get_final_message()
    assert final.content[0].type == "tool_use" and final.content[0].input == {"city": "Paris", "units": "metric"}

    got = ""
    with pytest.raises(openai.APIError) as e:
        for c in client.chat.completions.create(model="gpt-4o", messages=msgs, stream=True,
                                                extra_headers=script(controlled)):
            if c.choices and c.choices[0].delta.tool_calls:
                got += c.choices[0].delta.tool_calls[0].function.arguments or ""
    assert "ITAR content" in str(e.value) and "CONTROLLED" not in got
    with pytest.raises(anthropic.APIError):
        with aclient.messages.stream(model="claude-sonnet-5-5", max_tokens=64, messages=msgs,
                                     extra_headers=script(controlled)) as s:
            for _ in s:
                pass
    with pytest.raises(openai.PermissionDeniedError):
        client.chat.completions.create(model="gpt-4o", messages=msgs, extra_headers=script(controlled))
    with pytest.raises(anthropic.PermissionDeniedError):
        aclient.messages.create(model="claude-sonnet-5-5", max_tokens=64, messages=msgs,
                                extra_headers=script(controlled))
    decisions = [a["response_decision"] for a in fresh.audit(6)]
    assert decisions == ["pass", "pass", "block", "block", "block", "block"]


def test_encoded_response_fails_closed(gateway, fresh):
    r = gateway.chat("hello", US, headers={"x-standin-content-encoding": "gzip"})
    assert r.status == 502 and r.json()["error"]["code"] == "response_encoded"
    assert fresh.audit()[0]["response_decision"] == "reject"


def test_upstream_asked_for_identity_encoding(gateway, fresh):
    gateway.chat("hello", US, headers={"accept-encoding": "gzip, br"})
    rec = fresh.new_records("commercial")[0]
    assert rec["headers"]["accept-encoding"] == "identity"


def corpus_rows():
    return [json.loads(l) for l in CORPUS.read_text().splitlines() if l.strip()]


@pytest.mark.parametrize("row", corpus_rows(), ids=lambda r: r["id"])
def test_streaming_corpus_through_envoy(gateway, fresh, row):
    wire = row["wire"]
    anth = wire.startswith("anthropic")
    path = "/v1/messages" if anth else "/v1/chat/completions"
    body = {"model": "claude-sonnet-5-5" if anth else "gpt-4o", "max_tokens": 64, "stream": True,
            "messages": [{"role": "user", "content": row.get("prompt") or "go"}]}
    if "chunks" in row:
        headers = chunks_header(row["chunks"])
    else:
        headers = {"x-standin-raw-b64": b64(json.dumps(row["chunks_b64"]))}
    status, _, reads = raw_stream(gateway, path, body, headers)
    raw = b"".join(reads)
    if status != 200:  # the prompt itself was refused: nothing streamed at all
        assert row["expect"] == "block", (status, raw[:300])
        return
    text = text_of(raw)
    if row["expect"] == "block":
        assert b"controlled_content_in_response" in raw, text[:300]
        assert b"[DONE]" not in raw and b"message_stop" not in raw
    elif row["expect"] == "allow":
        assert text == row["full_text"]
        assert b"controlled_content" not in raw
    else:
        for span in row["spans"]:
            for piece in reads:
                assert span.encode() not in piece
        assert "[REDACTED:" in text
