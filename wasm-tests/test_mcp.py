"""MCP over streamable HTTP through real Envoy with the official `mcp` Python SDK
(`streamable_http_client` + `ClientSession`) against the stand-in MCP servers (/mcp/commercial
goes to the commercial stand-in, /mcp/onprem to the on-premises one, as the default policy routes
them): every message the client sends is scanned, every answer (JSON or event stream) is inspected
before the client receives it, refusals are JSON-RPC errors the SDK raises as MCPError, and the
audit record names the method and the tool."""
import base64
import http.client
import json

import anyio
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from conftest import b64, token

US = token(sub="mcp-user", clearance="SECRET")
ITAR = "ITAR CONTROLLED: seeker gimbal +/-18 deg, DWG 77-310-4"
NEEDLES = ("seeker gimbal", "77-310-4")


async def _session(gateway, path, tok, script, work, sampling=None):
    headers = dict(gateway.standins.script(script or {}))
    if tok:
        headers["authorization"] = f"Bearer {tok}"
    with anyio.fail_after(30):  # a refusal must surface, never hang
        async with httpx2.AsyncClient(headers=headers, timeout=20) as http:
            async with streamable_http_client(gateway.url(path), http_client=http) as streams:
                async with ClientSession(streams[0], streams[1], sampling_callback=sampling) as s:
                    await s.initialize()
                    return await work(s)


def first_mcp_error(e: BaseException):
    if isinstance(e, MCPError):
        return e
    for inner in getattr(e, "exceptions", ()):
        found = first_mcp_error(inner)
        if found is not None:
            return found
    return None


def session(gateway, work, path="/mcp/commercial", tok=US, script=None, sampling=None):
    """Run `work` in an initialized session; an MCPError the SDK raised inside its task group
    is raised as it is."""
    try:
        return anyio.run(_session, gateway, path, tok, script, work, sampling)
    except BaseExceptionGroup as g:
        err = first_mcp_error(g)
        if err is None:
            raise
        raise err from g


def new_audit(gateway, fresh):
    gateway.settle()
    return gateway.audit()[fresh.audit_start:]


def calls(records, method):
    return [a for a in records if a.get("mcp_method") == method]


def nothing_left(fresh, name="commercial"):
    bodies = "\n".join(json.dumps(r) for r in fresh.new_records(name))
    for n in NEEDLES:
        assert n not in bodies, n


def sse_script(*msgs) -> dict:
    return {"x-standin-mcp-sse": b64(json.dumps(list(msgs)))}


def test_benign_tool_call_passes_and_the_audit_names_the_tool(gateway, fresh):
    async def work(s):
        tools = await s.list_tools()
        return [t.name for t in tools.tools], await s.call_tool("echo", {"text": "What is the capital of France?"})

    names, out = session(gateway, work)
    assert names == ["echo", "lookup"]
    assert out.content[0].text == "What is the capital of France?"
    assert out.structured_content == {"text": "What is the capital of France?"}
    seen = [json.loads(r["body"]).get("method") for r in fresh.new_records("commercial") if r["method"] == "POST"]
    assert seen[:2] == ["initialize", "notifications/initialized"] and "tools/call" in seen
    records = new_audit(gateway, fresh)
    [a] = calls(records, "tools/call")
    assert a["provider"] == "mcp" and a["mcp_name"] == "echo" and "model" not in a
    assert a["decision"] == "allow" and a["destination"] == "tools-commercial"
    assert a["response_decision"] == "pass" and a["response_status"] == 200
    assert calls(records, "initialize")[0]["decision"] == "allow"
    # The session ends with a DELETE, passed to the server with its head scanned.
    assert any(r["method"] == "DELETE" for r in fresh.new_records("commercial"))
    assert any(a["method"] == "DELETE" and a["reason"] == "mcp_session_end" for a in records)


def test_benign_event_stream_with_notifications_passes(gateway, fresh):
    progress = {"jsonrpc": "2.0", "method": "notifications/message",
                "params": {"level": "info", "data": "working on it"}}

    async def work(s):
        return await s.call_tool("echo", {"text": "hello"})

    out = session(gateway, work, script=sse_script(progress))
    assert out.content[0].text == "hello"
    [a] = calls(new_audit(gateway, fresh), "tools/call")
    assert a["response_decision"] == "pass"


@pytest.mark.parametrize("method", ["tools/call", "prompts/get", "resources/read"])
def test_controlled_request_to_a_commercial_server_is_a_json_rpc_error(gateway, fresh, method):
    async def work(s):
        if method == "tools/call":
            return await s.call_tool("echo", {"text": ITAR})
        if method == "prompts/get":
            return await s.get_prompt("summarize", {"text": ITAR})
        return await s.read_resource("file:///" + ITAR.replace(" ", "_").replace("/", "_"))

    with pytest.raises(MCPError) as e:
        session(gateway, work)
    assert "ITAR" in e.value.message and "request id" in e.value.message
    assert e.value.code == -32003
    nothing_left(fresh)
    [a] = calls(new_audit(gateway, fresh), method)
    assert a["decision"] == "block" and a["response_status"] == 403
    assert any(lab["label"] == "ITAR" for lab in a["labels"])
    if method != "resources/read":
        assert a["mcp_name"] in ("echo", "summarize")


def test_controlled_request_to_the_approved_server_passes(gateway, fresh):
    async def work(s):
        return await s.call_tool("echo", {"text": ITAR})

    out = session(gateway, work, path="/mcp/onprem")
    assert "seeker gimbal" in out.content[0].text
    [a] = calls(new_audit(gateway, fresh), "tools/call")
    assert a["destination"] == "tools-onprem" and a["decision"] == "allow"


@pytest.mark.parametrize("how", ["json", "sse", "resource", "prompt"])
def test_controlled_answer_never_reaches_the_client(gateway, fresh, how):
    script = {"x-standin-reply-b64": b64(ITAR)}
    if how == "sse":
        script.update(sse_script({"jsonrpc": "2.0", "method": "notifications/message",
                                  "params": {"level": "info", "data": "fine"}}))

    async def work(s):
        if how == "resource":
            return await s.read_resource("file:///notes.txt")
        if how == "prompt":
            return await s.get_prompt("summarize", {})
        return await s.call_tool("lookup", {"text": "part 7"})

    with pytest.raises(MCPError) as e:
        session(gateway, work, script=script)
    assert "ITAR" in e.value.message
    for n in NEEDLES:
        assert n not in e.value.message
    method = {"resource": "resources/read", "prompt": "prompts/get"}.get(how, "tools/call")
    [a] = calls(new_audit(gateway, fresh), method)
    assert a["decision"] == "allow" and a["response_decision"] == "block"
    assert a["response_reason"] == "controlled_content_in_response"


def test_blob_resource_is_refused_as_media(gateway, fresh):
    async def work(s):
        return await s.read_resource("file:///drawing.bin")

    with pytest.raises(MCPError) as e:
        session(gateway, work, path="/mcp/onprem")
    assert "blobs" in e.value.message
    [a] = calls(new_audit(gateway, fresh), "resources/read")
    assert a["response_reason"] == "uninspectable_media"


def test_sampling_request_with_controlled_content_is_cut(gateway, fresh):
    sampled = []

    async def sampling(ctx, params):
        sampled.append(params)
        raise AssertionError("the sampling request must not reach the client")

    ask = {"jsonrpc": "2.0", "id": "srv-1", "method": "sampling/createMessage", "params": {
        "messages": [{"role": "user", "content": {"type": "text", "text": ITAR}}], "maxTokens": 20}}

    async def work(s):
        return await s.call_tool("echo", {"text": "hi"})

    with pytest.raises(MCPError) as e:
        session(gateway, work, script=sse_script(ask), sampling=sampling)
    assert "ITAR" in e.value.message and sampled == []
    [a] = calls(new_audit(gateway, fresh), "tools/call")
    assert a["response_decision"] == "block"
    assert any(lab["label"] == "ITAR" for lab in a["response_labels"])


def test_missing_identity_is_refused(gateway, fresh):
    async def work(s):
        return await s.list_tools()

    with pytest.raises(MCPError) as e:
        session(gateway, work, tok=None)
    assert e.value.code == -32001 and "identity" in e.value.message
    assert fresh.new_records("commercial") == []
    [a] = calls(new_audit(gateway, fresh), "initialize")
    assert a["decision"] == "refuse" and a["reason"] == "unauthenticated"


def raw(gateway, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=30)
    h = {"authorization": f"Bearer {US}", "accept": "application/json, text/event-stream",
         **gateway.standins.script(headers or {})}
    if body is not None:
        h["content-type"] = "application/json"
    conn.request(method, path, json.dumps(body) if body is not None else None, h)
    r = conn.getresponse()
    out = (r.status, r.read())
    conn.close()
    return out


def test_batches_are_refused_clearly(gateway, fresh):
    batch = [{"jsonrpc": "2.0", "id": 1, "method": "ping"}, {"jsonrpc": "2.0", "id": 2, "method": "ping"}]
    status, body = raw(gateway, "POST", "/mcp/commercial", batch)
    err = json.loads(body)
    assert status == 400 and err["jsonrpc"] == "2.0" and err["id"] is None
    assert "batches" in err["error"]["message"]
    assert fresh.new_records("commercial") == []


def test_server_stream_on_get_is_inspected(gateway, fresh):
    status, _ = raw(gateway, "GET", "/mcp/commercial", headers={"mcp-session-id": "s-1"})
    assert status == 405  # the stand-in offers no server stream; the GET reached it
    [rec] = fresh.new_records("commercial")
    assert rec["method"] == "GET" and rec["headers"]["mcp-session-id"] == "s-1"
    note = {"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": ITAR}}
    stream = f"event: message\ndata: {json.dumps(note)}\n\n".encode()
    status, body = raw(gateway, "GET", "/mcp/commercial",
                       headers={"x-standin-raw-b64": b64(json.dumps([base64.b64encode(stream).decode()]))})
    assert status == 200
    for n in NEEDLES:
        assert n.encode() not in body
    assert b"controlled_content_in_response" in body
    records = new_audit(gateway, fresh)
    assert records[-1]["reason"] == "mcp_server_stream" and records[-1]["response_decision"] == "block"


def test_redactable_argument_is_redacted_before_the_server(gateway, fresh):
    async def work(s):
        return await s.call_tool("echo", {"text": "Update SSN 410-28-6653 for the badge"})

    out = session(gateway, work)
    assert "410-28-6653" not in out.content[0].text and "[REDACTED:" in out.content[0].text
    assert "410-28-6653" not in "\n".join(json.dumps(r) for r in fresh.new_records("commercial"))
    [a] = calls(new_audit(gateway, fresh), "tools/call")
    assert a["decision"] == "redact" and a["destination"] == "tools-commercial"
