"""Amazon Bedrock as a destination (policy `destinations.<name>.api: "bedrock"`): Anthropic-format
requests rerouted there are translated to Bedrock's InvokeModel, through real Envoy, with the
official anthropic SDK as the client. The `usgov` stand-in plays Bedrock: it validates the body
the way Bedrock does (no `model`/`stream`, `anthropic_version` "bedrock-2023-05-31") and answers
an Anthropic message (wasm-tests/standin/standin.py)."""
import base64
import json
import socket

import anthropic
import pytest

from conftest import BASE, POLICY, Gateway, token

US = token(sub="us-eng", clearance="SECRET")
ITAR = "ITAR CONTROLLED: technical data. Fin actuator torque 24 Nm on a 312 mm bolt circle."
BEDROCK_MODEL = "anthropic.claude-sonnet-5-5-v1:0"


def bedrock_policy(workdir, name: str, cluster: str = "usgov", model_id: str = BEDROCK_MODEL):
    """The default policy with a Bedrock destination (on `cluster`) serving claude-sonnet-5-5
    after `commercial`, as `model_id`."""
    p = json.loads(POLICY.read_text())
    p["destinations"]["bedrock-govcloud"] = {
        "cluster": cluster, "residency": "US", "region": "us-gov-west-1", "formats": ["anthropic"],
        "api": "bedrock", "approved_labels": ["ITAR", "EAR", "CUI", "PII"],
        "requires": {"us_person": True}}
    p["models"]["claude-sonnet-5-5"] = {
        "destinations": ["commercial", "bedrock-govcloud"],
        "upstream_names": {"bedrock-govcloud": model_id}}
    p["version"] = f"{p['version']}+{name}"
    path = workdir / f"policy-{name}.json"
    path.write_text(json.dumps(p))
    return path


@pytest.fixture(scope="module")
def bedrock_gw(workdir, standins):
    path = bedrock_policy(workdir, "bedrock")
    g = Gateway(workdir / "gw-bedrock", standins, policy=path, port=BASE + 44, admin=BASE + 45)
    yield g
    g.stop()


def client(gw: Gateway) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=gw.url(), api_key=US, max_retries=0)


def test_controlled_prompt_goes_to_bedrock_translated(bedrock_gw, standins):
    bedrock_gw.settle()  # earlier tests' records are in
    before, start = len(standins.records("usgov")), bedrock_gw.mark()
    msg = client(bedrock_gw).messages.create(
        model="claude-sonnet-5-5", max_tokens=64, system="Answer briefly.",
        messages=[{"role": "user", "content": ITAR}])
    # The SDK parsed Bedrock's answer (an Anthropic message) as usual.
    assert msg.content[0].text.startswith(f"Hello from the usgov stand-in (model {BEDROCK_MODEL})")
    [rec] = standins.records("usgov")[before:]
    assert rec["path"] == f"/model/{BEDROCK_MODEL}/invoke"
    sent = json.loads(rec["body"])
    assert sent["anthropic_version"] == "bedrock-2023-05-31"
    assert "model" not in sent and "stream" not in sent, sent
    assert sent["messages"][0]["content"] == ITAR and sent["system"] == "Answer briefly."
    assert int(rec["headers"]["content-length"]) == len(rec["body"].encode())
    assert "x-api-key" not in rec["headers"] and US not in json.dumps(rec["headers"])
    [a] = bedrock_gw.audit_after(start)
    assert (a["decision"], a["destination"], a["upstream_model"]) == ("reroute", "bedrock-govcloud", BEDROCK_MODEL)
    assert a["response_decision"] == "pass", a  # inspected, nothing found


def test_benign_prompt_stays_native(bedrock_gw, standins):
    before = len(standins.records("commercial"))
    msg = client(bedrock_gw).messages.create(
        model="claude-sonnet-5-5", max_tokens=64, messages=[{"role": "user", "content": "Write a haiku."}])
    assert msg.content[0].text.startswith("Hello from the commercial stand-in")
    [rec] = standins.records("commercial")[before:]
    assert rec["path"] == "/v1/messages" and json.loads(rec["body"])["model"] == "claude-sonnet-5-5"


def test_streaming_controlled_prompt_is_not_sent_to_bedrock(bedrock_gw, standins):
    """Bedrock streams in its binary event-stream framing, which the filter cannot inspect: a
    streaming request is never translated there. Here no other destination is approved for it:
    a 400 that says to send it without streaming; nothing goes upstream."""
    bedrock_gw.settle()  # earlier tests' records are in
    before, start = len(standins.records("usgov")), bedrock_gw.mark()
    with pytest.raises(anthropic.BadRequestError) as e:
        with client(bedrock_gw).messages.stream(
                model="claude-sonnet-5-5", max_tokens=64, messages=[{"role": "user", "content": ITAR}]) as s:
            s.get_final_message()
    assert "without" in e.value.body["error"]["message"], e.value.body
    [a] = bedrock_gw.audit_after(start)
    assert (a["decision"], a["reason"]) == ("reject", "unsupported_request")
    assert len(standins.records("usgov")) == before


def test_caller_cannot_steer_bedrock_with_aws_headers(bedrock_gw, standins):
    """x-amz* headers (e.g. a guardrail choice or a forged signature) are the gateway's to set."""
    bedrock_gw.settle()
    before = len(standins.records("usgov"))
    client(bedrock_gw).messages.create(
        model="claude-sonnet-5-5", max_tokens=64, messages=[{"role": "user", "content": ITAR}],
        extra_headers={"x-amzn-bedrock-guardrailidentifier": "none", "x-amz-security-token": "forged"})
    [rec] = standins.records("usgov")[before:]
    assert not [k for k in rec["headers"] if k.startswith("x-amz")], rec["headers"]


def test_inference_profile_arn_is_encoded_in_the_path(workdir, standins):
    arn = "arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:inference-profile/us-gov.anthropic.claude-sonnet-5-5-v1:0"
    path = bedrock_policy(workdir, "bedrock-arn", model_id=arn)
    g = Gateway(workdir / "gw-bedrock-arn", standins, policy=path, port=BASE + 48, admin=BASE + 49)
    try:
        before = len(standins.records("usgov"))
        msg = client(g).messages.create(model="claude-sonnet-5-5", max_tokens=64,
                                        messages=[{"role": "user", "content": ITAR}])
        assert f"(model {arn})" in msg.content[0].text
        [rec] = standins.records("usgov")[before:]
        assert rec["path"] == "/model/" + arn.replace("/", "%2F") + "/invoke"
    finally:
        g.stop()


def test_bedrock_answer_is_inspected(bedrock_gw, standins):
    """The translated answer goes through the response path like any Anthropic answer."""
    bedrock_gw.settle()
    start = bedrock_gw.mark()
    reply = "SECRET//NOFORN\n(S//NF) Battery relocation schedule."
    with pytest.raises(anthropic.APIStatusError) as e:
        client(bedrock_gw).messages.create(
            model="claude-sonnet-5-5", max_tokens=64, messages=[{"role": "user", "content": ITAR}],
            extra_headers=bedrock_gw.standins.script(
                {"x-standin-reply-b64": base64.b64encode(reply.encode()).decode()}))
    assert e.value.status_code == 403
    assert e.value.body["error"]["type"] == "permission_error", e.value.body
    assert "Battery relocation" not in json.dumps(e.value.body)
    [a] = bedrock_gw.audit_after(start)
    assert (a["destination"], a["response_decision"]) == ("bedrock-govcloud", "block"), a


def test_unreachable_bedrock_answers_in_anthropic_format(workdir, standins):
    """Envoy's own reply for a dead upstream keys its format on the path, which the filter moved
    to /model/...: still the Anthropic format the client speaks."""
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]

    class Ups:
        ports = {**standins.ports, "foreign": dead}

    path = bedrock_policy(workdir, "bedrock-dead", cluster="foreign")
    g = Gateway(workdir / "gw-bedrock-dead", Ups(), policy=path, port=BASE + 46, admin=BASE + 47)
    try:
        with pytest.raises(anthropic.APIStatusError) as e:
            client(g).messages.create(model="claude-sonnet-5-5", max_tokens=64,
                                      messages=[{"role": "user", "content": ITAR}])
        assert e.value.status_code == 503
        assert e.value.body["type"] == "error", e.value.body
        assert e.value.body["error"]["code"] == "upstream_unavailable"
    finally:
        g.stop()
