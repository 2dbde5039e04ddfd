"""The other API surfaces a client uses, through real Envoy with the official SDKs: OpenAI
Responses (buffered and streamed, input_tokens), embeddings, legacy completions, Anthropic
count_tokens. Each is inspected with the same rules, identity, destinations and audit as chat
completions, and refuses in its own API's error format."""
import json

import anthropic
import openai
import pytest

from conftest import b64, post_raw, sse_events, token

US = token(sub="surface-user", clearance="SECRET")
FOREIGN = token(sub="surface-fn", person="foreign_national")
MARK = "SECRET//NOFORN troop movements"
ITAR = "ITAR CONTROLLED: seeker gimbal +/-18 deg, DWG 77-310-4"
NEEDLES = ("NOFORN", "troop movements", "seeker gimbal", "77-310-4")
CUT = ["Here is the summary.\n", "SEC", "RET//NO", "FORN\n", "Troop movements at dawn."]


def oai(gateway, tok=US) -> openai.OpenAI:
    return openai.OpenAI(base_url=gateway.url("/v1"), api_key=tok, max_retries=0)


def ant(gateway, tok=US) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=gateway.url(), api_key=tok, max_retries=0)


def nothing_left(fresh):
    bodies = fresh.new_bodies()
    for n in NEEDLES:
        assert n not in bodies, n


def raw_stream(gateway, path: str, body: dict, headers: dict):
    """POST as the US caller and read the raw response body, write by write as the client
    receives it."""
    status, _, reads = post_raw(gateway, path, body, headers, {"authorization": f"Bearer {US}"})
    return status, reads


# ------------------------------------------------------------------ Responses

def test_responses_benign_passes_with_usage(gateway, fresh):
    out = oai(gateway).responses.create(model="gpt-4o", input="What is the capital of France?",
                                        instructions="Answer briefly.")
    assert out.output_text.startswith("Hello from the commercial stand-in")
    [rec] = fresh.new_records("commercial")
    assert rec["path"] == "/v1/responses"
    [a] = fresh.audit()
    assert a["provider"] == "openai-responses" and a["decision"] == "allow"
    assert a["destination"] == "commercial" and a["response_decision"] == "pass"
    assert a["usage"]["input_tokens"] >= 1 and a["usage"]["output_tokens"] >= 1


def test_responses_controlled_prompt_refused_in_openai_format(gateway, fresh):
    with pytest.raises(openai.PermissionDeniedError) as e:
        oai(gateway).responses.create(model="gpt-4o", input=[
            {"role": "user", "content": [{"type": "input_text", "text": MARK}]}])
    err = e.value.body
    assert err["type"] == "permission_error" and err["code"] in ("controlled_content", "blocked_content")
    assert fresh.audit()[0]["request_id"] in err["message"]
    nothing_left(fresh)
    [a] = fresh.audit()
    assert a["decision"] == "block" and a["provider"] == "openai-responses"
    assert any(lab["label"] == "CLASSIFIED" for lab in a["labels"])


@pytest.mark.parametrize("where", ["instructions", "tool_schema", "metadata", "function_call_output",
                                   "text_format", "reasoning_summary"])
def test_responses_mediation_every_field(gateway, fresh, where):
    kw = {"model": "gpt-4o", "input": "Please help."}
    if where == "instructions":
        kw["instructions"] = MARK
    elif where == "tool_schema":
        kw["tools"] = [{"type": "function", "name": "lookup", "strict": False, "parameters": {
            "type": "object", "properties": {"q": {"type": "string", "description": MARK}}}}]
    elif where == "metadata":
        kw["metadata"] = {"note": MARK}
    elif where == "function_call_output":
        kw["input"] = [{"type": "function_call", "call_id": "c1", "name": "lookup", "arguments": "{}"},
                       {"type": "function_call_output", "call_id": "c1", "output": MARK}]
    elif where == "text_format":
        kw["text"] = {"format": {"type": "json_schema", "name": "out", "schema": {
            "type": "object", "description": MARK, "properties": {}}}}
    else:
        kw["input"] = [{"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": MARK}]},
                       {"role": "user", "content": "go on"}]
    with pytest.raises(openai.PermissionDeniedError):
        oai(gateway).responses.create(**kw)
    nothing_left(fresh)
    assert fresh.audit()[0]["decision"] == "block"


@pytest.mark.parametrize("kw,named", [
    ({"tools": [{"type": "web_search"}]}, "web_search"),
    ({"tools": [{"type": "mcp", "server_label": "x", "server_url": "https://mcp.example"}]}, "mcp"),
    ({"input": [{"type": "teleport_call", "payload": "x"}]}, "teleport_call"),
    ({"input": [{"role": "user", "content": [{"type": "input_hologram", "data": "x"}]}]}, "input_hologram"),
])
def test_responses_what_cannot_be_inspected_is_refused(gateway, fresh, kw, named):
    with pytest.raises(openai.BadRequestError) as e:
        oai(gateway).responses.create(**{"model": "gpt-4o", "input": "hi", **kw})
    assert e.value.body["code"] == "uninspectable_content" and named in e.value.body["message"]
    assert fresh.new_bodies() == ""


def test_responses_itar_rerouted_for_us_person_refused_for_foreign(gateway, fresh):
    out = oai(gateway).responses.create(model="gpt-4o", input=ITAR)
    assert out.output_text.startswith("Hello from the usgov stand-in")
    with pytest.raises(openai.PermissionDeniedError):
        oai(gateway, FOREIGN).responses.create(model="gpt-4o", input=ITAR)
    a = fresh.audit(2)
    assert a[0]["decision"] == "reroute" and a[0]["destination"] == "usgov"
    assert a[1]["decision"] != "allow" and a[1]["response_status"] == 403
    assert fresh.new_records("commercial") == []


def test_responses_buffered_controlled_answer_blocked(gateway, fresh):
    client = oai(gateway)
    with pytest.raises(openai.PermissionDeniedError) as e:
        client.responses.create(model="gpt-4o", input="Summarize.", extra_headers=gateway.standins.script(
            {"x-standin-reply-b64": b64("SECRET//NOFORN\nThe battery moves at dawn.")}))
    assert e.value.body["code"] == "controlled_content_in_response"
    assert "dawn" not in json.dumps(e.value.body)


def test_responses_stream_benign(gateway, fresh):
    text = ""
    final = None
    for ev in oai(gateway).responses.create(model="gpt-4o", input="hi", stream=True):
        if ev.type == "response.output_text.delta":
            text += ev.delta
        if ev.type == "response.completed":
            final = ev.response
    assert text.startswith("Hello from the commercial stand-in")
    assert final is not None and final.output_text == text
    [a] = fresh.audit()
    assert a["stream"] is True and a["response_decision"] == "pass"
    assert a["usage"]["input_tokens"] >= 1 and a["usage"]["output_tokens"] >= 1


@pytest.mark.parametrize("output", ["text", "refusal", "function_call", "reasoning"])
def test_responses_stream_controlled_answer_cut(gateway, fresh, output):
    headers = {"x-standin-chunks-b64": b64(json.dumps(CUT)), "x-standin-output": output}
    status, reads = raw_stream(gateway, "/v1/responses",
                               {"model": "gpt-4o", "input": "go", "stream": True}, headers)
    assert status == 200
    for piece in reads:
        assert b"NOFORN" not in piece and b"Troop" not in piece
    evs = sse_events(b"".join(reads))
    assert evs[-1][0] == "error" and evs[-1][1]["type"] == "error"
    assert evs[-1][1]["code"] == "controlled_content_in_response"
    assert not any(name == "response.completed" for name, _ in evs)
    released = "".join(d.get("delta", "") for name, d in evs if name and name.endswith(".delta"))
    assert released.startswith("Here is the summary.")
    a = fresh.audit()[0]
    assert a["response_decision"] == "block"

    # the official client sees the error event as the Responses API sends it
    stream = oai(gateway).responses.create(model="gpt-4o", input="go", stream=True,
                                           extra_headers=gateway.standins.script(headers))
    seen = [ev for ev in stream]
    assert seen[-1].type == "error" and seen[-1].code == "controlled_content_in_response"


def test_responses_input_tokens(gateway, fresh):
    client = oai(gateway)
    n = client.responses.input_tokens.count(model="gpt-4o", input="How many tokens is this?")
    assert n.input_tokens >= 1
    with pytest.raises(openai.PermissionDeniedError):
        client.responses.input_tokens.count(model="gpt-4o", input="hello", instructions=MARK)
    nothing_left(fresh)
    a = fresh.audit(2)
    assert a[0]["path"] == "/v1/responses/input_tokens" and a[0]["decision"] == "allow"
    assert a[1]["decision"] == "block"


def test_responses_stored_content(gateway, fresh):
    """previous_response_id goes on (what comes back is inspected like any answer); stored
    responses are not retrieved through the gateway."""
    client = oai(gateway)
    out = client.responses.create(model="gpt-4o", input="and then?", previous_response_id="resp_abc")
    assert out.output_text.startswith("Hello from the commercial stand-in")
    with pytest.raises(openai.PermissionDeniedError):
        client.responses.create(model="gpt-4o", input="repeat it", previous_response_id="resp_abc",
                                extra_headers=gateway.standins.script(
                                    {"x-standin-reply-b64": b64("SECRET//NOFORN\nThe battery moves at dawn.")}))
    for call in (lambda: client.responses.retrieve("resp_abc"),
                 lambda: client.responses.input_items.list("resp_abc"),
                 lambda: client.responses.delete("resp_abc")):
        with pytest.raises(openai.NotFoundError) as e:
            call()
        assert e.value.body["code"] == "path_not_allowed"
    assert [r["path"] for r in fresh.new_records("commercial")] == ["/v1/responses", "/v1/responses"]


# ----------------------------------------------------------------- embeddings

def test_embeddings_benign_and_usage(gateway, fresh):
    client = oai(gateway)
    out = client.embeddings.create(model="text-embedding-3-small", input=["first document", "second document"])
    assert len(out.data) == 2 and len(out.data[0].embedding) == 8
    out = client.embeddings.create(model="text-embedding-3-small", input="one", encoding_format="float")
    assert len(out.data) == 1
    a = fresh.audit(2)
    assert a[0]["provider"] == "openai-embeddings" and a[0]["destination"] == "commercial"
    assert a[0]["usage"]["input_tokens"] >= 1 and a[0]["response_decision"] == "pass"


def test_embeddings_controlled_document_refused_or_rerouted(gateway, fresh):
    client = oai(gateway)
    with pytest.raises(openai.PermissionDeniedError) as e:
        client.embeddings.create(model="text-embedding-3-small", input=["a benign page", MARK])
    assert e.value.body["type"] == "permission_error"
    nothing_left(fresh)
    client.embeddings.create(model="text-embedding-3-small", input=ITAR)
    with pytest.raises(openai.PermissionDeniedError):
        oai(gateway, FOREIGN).embeddings.create(model="text-embedding-3-small", input=ITAR)
    a = fresh.audit(3)
    assert a[1]["decision"] == "reroute" and a[1]["destination"] == "usgov"
    assert fresh.new_records("commercial") == []


def test_embeddings_token_arrays_refused(gateway, fresh):
    for inp in ([15496, 11, 995], [[15496, 11], [995]]):
        with pytest.raises(openai.BadRequestError) as e:
            oai(gateway).embeddings.create(model="text-embedding-3-small", input=inp)
        assert e.value.body["code"] == "uninspectable_content"
    assert fresh.new_bodies() == ""


def test_embeddings_mediation_metadata_field(gateway, fresh):
    with pytest.raises(openai.PermissionDeniedError):
        oai(gateway).embeddings.create(model="text-embedding-3-small", input="benign", user=MARK)
    nothing_left(fresh)


# ---------------------------------------------------------- legacy completions

def test_completions_benign_and_stream(gateway, fresh):
    client = oai(gateway)
    out = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hi", max_tokens=16)
    assert out.choices[0].text.startswith("Hello from the commercial stand-in")
    text = "".join(c.choices[0].text for c in client.completions.create(
        model="gpt-3.5-turbo-instruct", prompt=["Say hi"], stream=True) if c.choices)
    assert text.startswith("Hello from the commercial stand-in")
    a = fresh.audit(2)
    assert a[0]["provider"] == "openai-completions" and a[0]["usage"]["output_tokens"] >= 1
    assert a[1]["stream"] is True and a[1]["response_decision"] == "pass"


def test_completions_controlled_prompt_refused(gateway, fresh):
    client = oai(gateway)
    for kw in ({"prompt": ["benign", MARK]}, {"prompt": "benign", "suffix": MARK}):
        with pytest.raises(openai.PermissionDeniedError) as e:
            client.completions.create(model="gpt-3.5-turbo-instruct", **kw)
        assert e.value.body["type"] == "permission_error"
    with pytest.raises(openai.BadRequestError):
        client.completions.create(model="gpt-3.5-turbo-instruct", prompt=[1212, 318])
    nothing_left(fresh)
    assert fresh.new_bodies() == ""


def test_completions_stream_controlled_answer_cut(gateway, fresh):
    headers = {"x-standin-chunks-b64": b64(json.dumps(CUT))}
    status, reads = raw_stream(gateway, "/v1/completions",
                               {"model": "gpt-3.5-turbo-instruct", "prompt": "go", "stream": True}, headers)
    assert status == 200
    for piece in reads:
        assert b"NOFORN" not in piece and b"Troop" not in piece
    evs = sse_events(b"".join(reads))
    assert evs[-1][1]["error"]["code"] == "controlled_content_in_response"
    assert "[DONE]" not in [d for _, d in evs]
    released = "".join(c["text"] for _, d in evs if isinstance(d, dict) for c in d.get("choices", []))
    assert released.startswith("Here is the summary.")
    with pytest.raises(openai.APIError):
        for _ in oai(gateway).completions.create(model="gpt-3.5-turbo-instruct", prompt="go", stream=True,
                                                 extra_headers=gateway.standins.script(headers)):
            pass
    assert fresh.audit()[0]["response_decision"] == "block"


# ------------------------------------------------------ Anthropic count_tokens

def test_count_tokens_benign_and_refused(gateway, fresh):
    client = ant(gateway)
    n = client.messages.count_tokens(model="claude-sonnet-5-5",
                                     messages=[{"role": "user", "content": "How long is this?"}])
    assert n.input_tokens >= 1
    with pytest.raises(anthropic.PermissionDeniedError) as e:
        client.messages.count_tokens(model="claude-sonnet-5-5", messages=[{"role": "user", "content": MARK}])
    assert e.value.body["type"] == "error" and e.value.body["error"]["type"] == "permission_error"
    # mediation: the system prompt and a tool's schema go to the provider too
    for kw in ({"system": MARK},
               {"tools": [{"name": "lookup", "input_schema": {"type": "object", "properties": {
                   "q": {"type": "string", "description": MARK}}}}]}):
        with pytest.raises(anthropic.PermissionDeniedError):
            client.messages.count_tokens(model="claude-sonnet-5-5",
                                         messages=[{"role": "user", "content": "hi"}], **kw)
    nothing_left(fresh)
    a = fresh.audit(4)
    assert a[0]["path"] == "/v1/messages/count_tokens" and a[0]["provider"] == "anthropic"
    assert a[0]["decision"] == "allow" and all(x["decision"] == "block" for x in a[1:])
