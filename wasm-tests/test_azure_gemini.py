"""Azure OpenAI's and Google Gemini's (Gemini API and Vertex AI) surfaces, through real Envoy with
the official SDKs (`openai.AzureOpenAI`, `google-genai`): the model is in the path (the Azure
deployment, the Gemini model), the caller's token comes in the header each SDK puts its key in
(`api-key`, `x-goog-api-key`, or `Authorization: Bearer`), and each request is inspected with the
same rules, identity, destinations and audit as chat completions, buffered and streamed; refusals
are in each API's error format."""
import json

import google.oauth2.credentials
import openai
import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from conftest import b64, post_raw, sse_events, token

US = token(sub="cloud-user", clearance="SECRET")
FOREIGN = token(sub="cloud-fn", person="foreign_national")
MARK = "SECRET//NOFORN troop movements"
ITAR = "ITAR CONTROLLED: seeker gimbal +/-18 deg, DWG 77-310-4"
NEEDLES = ("NOFORN", "troop movements")
CUT = ["Here is the summary.\n", "SEC", "RET//NO", "FORN\n", "Troop movements at dawn."]
API_VERSION = "2024-10-21"
GEMINI = "gemini-2.5-flash"
CREDENTIALS = ("authorization", "x-api-key", "api-key", "x-goog-api-key")


def azure(gateway, tok=US) -> openai.AzureOpenAI:
    return openai.AzureOpenAI(azure_endpoint=gateway.url(), api_key=tok, api_version=API_VERSION,
                              max_retries=0)


# A genai.Client closes its connections when it is dropped: keep each one for the session.
_CLIENTS: dict = {}


def gemini(gateway, tok=US) -> genai.Client:
    key = ("gemini", gateway.url(), tok)
    if key not in _CLIENTS:
        _CLIENTS[key] = genai.Client(api_key=tok, http_options=types.HttpOptions(
            base_url=gateway.url(), api_version="v1beta",
            retry_options=types.HttpRetryOptions(attempts=1)))
    return _CLIENTS[key]


def vertex(gateway, tok=US) -> genai.Client:
    """Vertex AI with an OAuth access token (here: the gateway's token) in Authorization."""
    key = ("vertex", gateway.url(), tok)
    if key not in _CLIENTS:
        _CLIENTS[key] = genai.Client(
            vertexai=True, project="demo-project", location="us-central1",
            credentials=google.oauth2.credentials.Credentials(token=tok),
            http_options=types.HttpOptions(base_url=gateway.url(),
                                           retry_options=types.HttpRetryOptions(attempts=1)))
    return _CLIENTS[key]


def script(gateway, headers: dict) -> dict:
    return gateway.standins.script(headers)


def nothing_left(fresh):
    bodies = fresh.new_bodies()
    for n in NEEDLES:
        assert n not in bodies, n


def no_credentials(rec):
    """The caller's token never goes upstream; Envoy adds the destination's own credential."""
    for h in CREDENTIALS[1:]:
        assert h not in rec["headers"], h
    assert rec["headers"]["authorization"] == f"Bearer DEMO-FAKE-{rec['destination']}-key"
    assert US not in json.dumps(rec["headers"])


def raw(gateway, path: str, body: dict, headers: dict | None = None):
    """POST with the key in Gemini's header and read the raw response body, write by write as the
    client receives it."""
    status, _, reads = post_raw(gateway, path, body, headers or {}, {"x-goog-api-key": US})
    return status, reads


def sse_data(raw_bytes: bytes) -> list[dict]:
    return [data for _, data in sse_events(raw_bytes)]


def contents(text: str) -> dict:
    return {"contents": [{"role": "user", "parts": [{"text": text}]}]}


# ---------------------------------------------------------------- Azure OpenAI

def test_azure_deployment_chat_benign_itar_rerouted_foreign_refused(gateway, fresh):
    out = azure(gateway).chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "What is the capital of France?"}])
    assert out.choices[0].message.content.startswith("Hello from the commercial stand-in (model gpt-4o)")
    [rec] = fresh.new_records("commercial")
    assert rec["path"] == f"/openai/deployments/gpt-4o/chat/completions?api-version={API_VERSION}"
    no_credentials(rec)
    # controlled technical data from a US person: the deployment the approved destination knows
    out = azure(gateway).chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": ITAR}])
    assert out.choices[0].message.content.startswith("Hello from the usgov stand-in (model gpt-4o-usgov)")
    [rec] = fresh.new_records("usgov")
    assert rec["path"] == f"/openai/deployments/gpt-4o-usgov/chat/completions?api-version={API_VERSION}"
    assert json.loads(rec["body"])["model"] == "gpt-4o-usgov"
    no_credentials(rec)
    with pytest.raises(openai.PermissionDeniedError) as e:
        azure(gateway, FOREIGN).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": ITAR}])
    assert e.value.body["type"] == "permission_error" and e.value.body["code"] == "identity_ineligible"
    a = fresh.audit(3)
    assert [x["decision"] for x in a] == ["allow", "reroute", "refuse"]
    assert all(x["provider"] == "openai" and x["model"] == "gpt-4o" for x in a)
    assert a[1]["upstream_model"] == "gpt-4o-usgov" and a[1]["destination"] == "usgov"
    assert a[0]["identity"]["subject"] == "cloud-user"
    assert a[0]["usage"]["input_tokens"] >= 1
    assert len(fresh.new_records("commercial")) == 1


def test_azure_deployment_controlled_refused_and_stream_cut(gateway, fresh):
    client = azure(gateway)
    with pytest.raises(openai.PermissionDeniedError) as e:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": MARK}])
    assert e.value.body["code"] == "controlled_content"
    nothing_left(fresh)
    text = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True) if c.choices)
    assert text.startswith("Hello from the commercial stand-in")
    with pytest.raises(openai.APIError):
        for _ in client.chat.completions.create(
                model="gpt-4o", messages=[{"role": "user", "content": "go"}], stream=True,
                extra_headers=script(gateway, {"x-standin-chunks-b64": b64(json.dumps(CUT))})):
            pass
    a = fresh.audit(3)
    assert a[0]["decision"] == "block"
    assert a[1]["stream"] is True and a[1]["response_decision"] == "pass"
    assert a[2]["response_decision"] == "block"


def test_azure_deployment_embeddings_and_completions(gateway, fresh):
    client = azure(gateway)
    out = client.embeddings.create(model="text-embedding-3-small", input=["first document", "second"])
    assert len(out.data) == 2
    out = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hi", max_tokens=16)
    assert out.choices[0].text.startswith("Hello from the commercial stand-in")
    with pytest.raises(openai.PermissionDeniedError):
        client.embeddings.create(model="text-embedding-3-small", input=["benign", MARK])
    nothing_left(fresh)
    paths = [r["path"] for r in fresh.new_records("commercial")]
    assert paths == [f"/openai/deployments/text-embedding-3-small/embeddings?api-version={API_VERSION}",
                     f"/openai/deployments/gpt-3.5-turbo-instruct/completions?api-version={API_VERSION}"]
    a = fresh.audit(3)
    assert [x["provider"] for x in a] == ["openai-embeddings", "openai-completions", "openai-embeddings"]


def test_azure_v1_paths(gateway, fresh):
    """The /openai/v1/ form is the OpenAI API under another prefix (model in the body)."""
    client = openai.OpenAI(base_url=gateway.url("/openai/v1"), api_key=US, max_retries=0)
    out = client.responses.create(model="gpt-4o", input="hi")
    assert out.output_text.startswith("Hello from the commercial stand-in")
    out = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": ITAR}])
    assert out.choices[0].message.content.startswith("Hello from the usgov stand-in (model gpt-4o-usgov)")
    with pytest.raises(openai.PermissionDeniedError):
        client.responses.create(model="gpt-4o", input=MARK)
    nothing_left(fresh)
    assert [r["path"] for r in fresh.new_records("commercial")] == ["/openai/v1/responses"]
    assert [r["path"] for r in fresh.new_records("usgov")] == ["/openai/v1/chat/completions"]


def test_azure_query_and_path_are_mediated(gateway, fresh):
    body = {"messages": [{"role": "user", "content": "hi"}]}
    # a parameter the endpoint does not name: refused, naming it
    r = gateway.post(f"/openai/deployments/gpt-4o/chat/completions?api-version={API_VERSION}&x=1", body, US)
    assert r.status == 400 and r.json()["error"]["code"] == "query_not_allowed"
    assert '"x"' in r.json()["error"]["message"]
    # the accepted parameter's value is scanned like the body
    r = gateway.post("/openai/deployments/gpt-4o/chat/completions?api-version=SECRET%2F%2FNOFORN", body, US)
    assert r.status == 403
    # a deployment the policy does not list, or a path segment that is not a name
    r = gateway.post("/openai/deployments/gpt-5-secret/chat/completions", body, US)
    assert r.status == 403 and r.json()["error"]["code"] == "model_not_allowed"
    r = gateway.post("/openai/deployments/gpt%2D4o/chat/completions", body, US)
    assert r.status == 404 and r.json()["error"]["code"] == "path_not_allowed"
    # a body that names another model than its deployment
    r = gateway.post("/openai/deployments/gpt-4o/chat/completions", {"model": "llama-3.1-70b", **body}, US)
    assert r.status == 400
    # two different credentials (the Azure key header and a bearer token)
    r = gateway.post("/openai/deployments/gpt-4o/chat/completions", body, US, headers={"api-key": FOREIGN})
    assert r.status == 401 and r.json()["error"]["code"] == "unauthenticated"
    assert fresh.new_bodies() == ""


# ---------------------------------------------------------------- Google Gemini

def test_gemini_sdk_default_api_version(gateway, fresh):
    """google-genai's default Gemini API version is v1 (/v1/models/...)."""
    client = genai.Client(api_key=US, http_options=types.HttpOptions(
        base_url=gateway.url(), retry_options=types.HttpRetryOptions(attempts=1)))
    assert client.models.generate_content(model=GEMINI, contents="hi").text.startswith(
        "Hello from the commercial stand-in")
    with pytest.raises(genai_errors.ClientError) as e:
        client.models.generate_content(model=GEMINI, contents=MARK)
    assert e.value.code == 403
    nothing_left(fresh)
    assert [r["path"] for r in fresh.new_records("commercial")] == [f"/v1/models/{GEMINI}:generateContent"]


def test_gemini_benign_with_usage_and_no_key_upstream(gateway, fresh):
    out = gemini(gateway).models.generate_content(
        model=GEMINI, contents="What is the capital of France?",
        config=types.GenerateContentConfig(system_instruction="Answer briefly.", temperature=0.2))
    assert out.text.startswith(f"Hello from the commercial stand-in (model {GEMINI})")
    assert out.usage_metadata.prompt_token_count >= 1
    [rec] = fresh.new_records("commercial")
    assert rec["path"] == f"/v1beta/models/{GEMINI}:generateContent"
    assert "x-goog-api-client" in rec["headers"]
    no_credentials(rec)
    [a] = fresh.audit()
    assert a["provider"] == "gemini" and a["model"] == GEMINI and a["decision"] == "allow"
    assert a["stream"] is False and a["response_decision"] == "pass"
    assert a["usage"]["input_tokens"] >= 1 and a["usage"]["output_tokens"] >= 1


def test_gemini_controlled_refused_in_googles_format(gateway, fresh):
    with pytest.raises(genai_errors.ClientError) as e:
        gemini(gateway).models.generate_content(model=GEMINI, contents=MARK)
    assert e.value.code == 403 and e.value.status == "PERMISSION_DENIED"
    assert e.value.details["error"]["details"][0]["reason"] in ("controlled_content", "blocked_content")
    assert fresh.audit()[0]["request_id"] in e.value.message
    nothing_left(fresh)
    assert fresh.audit()[0]["decision"] == "block"


@pytest.mark.parametrize("where", ["system_instruction", "function_declaration", "function_response",
                                   "response_schema", "model_turn"])
def test_gemini_mediation_every_field(gateway, fresh, where):
    config, parts = {}, None
    if where == "system_instruction":
        config["system_instruction"] = MARK
    elif where == "function_declaration":
        config["tools"] = [types.Tool(function_declarations=[types.FunctionDeclaration(
            name="lookup", description="Look things up.", parameters=types.Schema(
                type="OBJECT", properties={"q": types.Schema(type="STRING", description=MARK)}))])]
    elif where == "response_schema":
        config["response_mime_type"] = "application/json"
        config["response_schema"] = types.Schema(type="OBJECT", description=MARK,
                                                 properties={"a": types.Schema(type="STRING")})
    elif where == "function_response":
        parts = [types.Content(role="user", parts=[types.Part.from_text(text="look it up")]),
                 types.Content(role="model", parts=[types.Part.from_function_call(name="lookup", args={"q": "x"})]),
                 types.Content(role="user", parts=[types.Part.from_function_response(
                     name="lookup", response={"result": MARK})])]
    else:
        parts = [types.Content(role="user", parts=[types.Part.from_text(text="hi")]),
                 types.Content(role="model", parts=[types.Part.from_text(text=MARK)]),
                 types.Content(role="user", parts=[types.Part.from_text(text="go on")])]
    with pytest.raises(genai_errors.ClientError) as e:
        gemini(gateway).models.generate_content(
            model=GEMINI, contents=parts or "Please help.",
            config=types.GenerateContentConfig(**config) if config else None)
    assert e.value.code == 403
    nothing_left(fresh)
    assert fresh.audit()[0]["decision"] == "block"


def test_gemini_itar_rerouted_under_the_destinations_model_name(gateway, fresh):
    out = gemini(gateway).models.generate_content(model=GEMINI, contents=ITAR)
    assert out.text.startswith(f"Hello from the usgov stand-in (model {GEMINI}-usgov)")
    [rec] = fresh.new_records("usgov")
    assert rec["path"] == f"/v1beta/models/{GEMINI}-usgov:generateContent"
    no_credentials(rec)
    with pytest.raises(genai_errors.ClientError) as e:
        gemini(gateway, FOREIGN).models.generate_content(model=GEMINI, contents=ITAR)
    assert e.value.code == 403
    a = fresh.audit(2)
    assert a[0]["decision"] == "reroute" and a[0]["upstream_model"] == f"{GEMINI}-usgov"
    assert a[1]["reason"] == "identity_ineligible"
    assert fresh.new_records("commercial") == []


def test_gemini_stream_benign_and_cut(gateway, fresh):
    client = gemini(gateway)
    text = "".join(c.text or "" for c in client.models.generate_content_stream(model=GEMINI, contents="hi"))
    assert text.startswith("Hello from the commercial stand-in")
    [rec] = fresh.new_records("commercial")
    assert rec["path"] == f"/v1beta/models/{GEMINI}:streamGenerateContent?alt=sse"
    a = fresh.audit()[0]
    assert a["stream"] is True and a["response_decision"] == "pass"
    assert a["usage"]["input_tokens"] >= 1 and a["usage"]["output_tokens"] >= 1

    headers = {"x-standin-chunks-b64": b64(json.dumps(CUT))}
    status, reads = raw(gateway, f"/v1beta/models/{GEMINI}:streamGenerateContent?alt=sse",
                        contents("go"), headers)
    assert status == 200
    for piece in reads:
        assert b"NOFORN" not in piece and b"Troop" not in piece
    chunks = sse_data(b"".join(reads))
    assert chunks[-1]["error"]["code"] == 403 and chunks[-1]["error"]["status"] == "PERMISSION_DENIED"
    assert chunks[-1]["error"]["details"][0]["reason"] == "controlled_content_in_response"
    released = "".join(p.get("text", "") for c in chunks[:-1] for cand in c.get("candidates", [])
                       for p in cand["content"]["parts"])
    assert released.startswith("Here is the summary.")
    assert not any(cand.get("finishReason") for c in chunks for cand in c.get("candidates", []))
    # the official client raises the error the stream ends with
    with pytest.raises(genai_errors.ClientError) as e:
        for _ in client.models.generate_content_stream(
                model=GEMINI, contents="go",
                config=types.GenerateContentConfig(http_options=types.HttpOptions(
                    headers=script(gateway, headers)))):
            pass
    assert e.value.code == 403
    assert fresh.audit(3)[2]["response_decision"] == "block"


def test_gemini_stream_without_sse_refused(gateway, fresh):
    """Without alt=sse the API streams one JSON array whose chunks each hold a piece of the text
    (a marking split over two chunks would be two strings to a JSON scan): refused, naming alt=sse."""
    for query in ("", "?alt=json"):
        status, reads = raw(gateway, f"/v1beta/models/{GEMINI}:streamGenerateContent{query}",
                            contents("hi"))
        body = json.loads(b"".join(reads))
        assert status == 400 and body["error"]["status"] == "INVALID_ARGUMENT"
        assert body["error"]["details"][0]["reason"] == "unsupported_request"
        assert "alt=sse" in body["error"]["message"]
    assert fresh.new_bodies() == ""
    assert [x["reason"] for x in fresh.audit(2)] == ["unsupported_request"] * 2


def test_gemini_function_call_answer_inspected(gateway, fresh):
    headers = script(gateway, {"x-standin-output": "function_call",
                               "x-standin-reply-b64": b64("SECRET//NOFORN The battery moves at dawn.")})
    with pytest.raises(genai_errors.ClientError) as e:
        gemini(gateway).models.generate_content(
            model=GEMINI, contents="look it up",
            config=types.GenerateContentConfig(http_options=types.HttpOptions(headers=headers)))
    assert e.value.code == 403 and "dawn" not in json.dumps(e.value.details)
    assert fresh.audit()[0]["response_decision"] == "block"


def test_gemini_media_and_third_party_tools_refused(gateway, fresh):
    client = gemini(gateway)
    for part in (types.Part.from_bytes(data=b"\x89PNG\r\n\x1a\n" + bytes(64), mime_type="image/png"),
                 types.Part.from_uri(file_uri="gs://bucket/drawing.pdf", mime_type="application/pdf")):
        with pytest.raises(genai_errors.ClientError) as e:
            client.models.generate_content(model=GEMINI, contents=[part, "what is this?"])
        assert e.value.code == 415
        assert e.value.details["error"]["details"][0]["reason"] == "uninspectable_media"
    with pytest.raises(genai_errors.ClientError) as e:
        client.models.generate_content(model=GEMINI, contents="news?", config=types.GenerateContentConfig(
            tools=[types.Tool(google_search=types.GoogleSearch())]))
    assert e.value.code == 400 and "googleSearch" in e.value.message
    assert fresh.new_bodies() == ""


def test_gemini_count_tokens_and_query(gateway, fresh):
    client = gemini(gateway)
    assert client.models.count_tokens(model=GEMINI, contents="How long is this?").total_tokens >= 1
    with pytest.raises(genai_errors.ClientError):
        client.models.count_tokens(model=GEMINI, contents=MARK)
    # a key in the query (the API's older way) would take the caller's token upstream: refused
    status, reads = raw(gateway, f"/v1beta/models/{GEMINI}:generateContent?key={US}", contents("hi"))
    body = json.loads(b"".join(reads))
    assert status == 400 and body["error"]["details"][0]["reason"] == "query_not_allowed"
    nothing_left(fresh)
    a = fresh.audit(3)
    assert a[0]["path"] == f"/v1beta/models/{GEMINI}:countTokens" and a[0]["decision"] == "allow"
    assert a[1]["decision"] == "block" and a[2]["reason"] == "query_not_allowed"
    assert [r["path"] for r in fresh.new_records("commercial")] == [f"/v1beta/models/{GEMINI}:countTokens"]


def test_vertex_ai_paths_bearer_token(gateway, fresh):
    client = vertex(gateway)
    out = client.models.generate_content(model=GEMINI, contents="hi")
    assert out.text.startswith("Hello from the commercial stand-in")
    text = "".join(c.text or "" for c in client.models.generate_content_stream(model=GEMINI, contents=ITAR))
    assert text.startswith(f"Hello from the usgov stand-in (model {GEMINI}-usgov)")
    with pytest.raises(genai_errors.ClientError) as e:
        client.models.generate_content(model=GEMINI, contents=MARK)
    assert e.value.code == 403 and e.value.status == "PERMISSION_DENIED"
    nothing_left(fresh)
    prefix = "/v1beta1/projects/demo-project/locations/us-central1/publishers/google/models/"
    [rec] = fresh.new_records("commercial")
    assert rec["path"] == prefix + f"{GEMINI}:generateContent"
    no_credentials(rec)
    [rec] = fresh.new_records("usgov")
    assert rec["path"] == prefix + f"{GEMINI}-usgov:streamGenerateContent?alt=sse"
    a = fresh.audit(3)
    assert [x["decision"] for x in a] == ["allow", "reroute", "block"]
    assert all(x["provider"] == "gemini" for x in a)
