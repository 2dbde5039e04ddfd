"""Reversible masking through real Envoy: a `mask` label's values go to the model as placeholders
and come back to the caller in the answer (buffered and streamed, a placeholder split across
events included); the provider and the audit record never see them."""
import json

import anthropic
import openai
import pytest

from conftest import BASE, ROOT, Gateway, b64, token

US = token(sub="mask-user", clearance="SECRET")
SSN, SSN2 = "148-36-7725", "321-54-9876"
PROMPT = f"My SSN is {SSN}, my spouse's is {SSN2}; again, mine is {SSN}. Fill in the form."


@pytest.fixture(scope="module")
def mgw(workdir, standins, tmp_path_factory):
    pol = json.loads((ROOT / "policies" / "default.json").read_text())
    pol["labels"]["PII"]["action"] = "mask"
    pol["audit"] = {"capture": "full"}
    p = tmp_path_factory.mktemp("mask") / "mask-policy.json"
    p.write_text(json.dumps(pol))
    g = Gateway(workdir / "gw-mask", standins, policy=p, port=BASE + 630, admin=BASE + 631)
    yield g
    g.stop()


def script(mgw, chunks):
    return mgw.standins.script({"x-standin-chunks-b64": b64(json.dumps(chunks))})


def sent_and_audited(mgw, start, n):
    """The last n requests the commercial stand-in got, and the audit records after line start."""
    return mgw.standins.records("commercial")[-n:], mgw.audit_after(start, n)


def test_buffered_round_trip_with_both_sdks(mgw):
    start = mgw.mark()
    reply = ["Form: applicant [MASKED:SSN:1], spouse [MASKED:SSN:2]; ", "unknown [MASKED:SSN:3]."]
    c = openai.OpenAI(base_url=mgw.url("/v1"), api_key=US, max_retries=0)
    out = c.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": PROMPT}],
                                    extra_headers=script(mgw, reply))
    assert out.choices[0].message.content == f"Form: applicant {SSN}, spouse {SSN2}; unknown [MASKED:SSN:3]."
    a = anthropic.Anthropic(base_url=mgw.url(), api_key=US, max_retries=0)
    m = a.messages.create(model="claude-sonnet-5-5", max_tokens=64, messages=[{"role": "user", "content": PROMPT}],
                          extra_headers=script(mgw, reply))
    assert m.content[0].text == f"Form: applicant {SSN}, spouse {SSN2}; unknown [MASKED:SSN:3]."
    sent, audit = sent_and_audited(mgw, start, 2)
    for rec in sent:
        body = json.loads(rec["body"])
        text = body["messages"][-1]["content"]
        assert text == "My SSN is [MASKED:SSN:1], my spouse's is [MASKED:SSN:2]; again, mine is [MASKED:SSN:1]. Fill in the form."
    for rec in audit:
        assert rec["decision"] == "redact" and rec["reason"] == "masked" and rec["masked"] == 2
        assert rec["destination"] == "commercial"
        assert "[MASKED:SSN:1]" in rec["request_text"]
    everything = mgw.audit_path.read_text()
    assert SSN not in everything and SSN2 not in everything
    assert SSN not in mgw.standins.everything() and SSN2 not in mgw.standins.everything()


@pytest.mark.parametrize("fmt", ["openai", "anthropic"])
def test_streamed_placeholder_split_across_events(mgw, fmt):
    start = mgw.mark()
    chunks = ["Applicant: [MAS", "KED:S", "SN:1", "], spouse: [MASKED:SSN:2", "]. Done."]
    want = f"Applicant: {SSN}, spouse: {SSN2}. Done."
    if fmt == "openai":
        c = openai.OpenAI(base_url=mgw.url("/v1"), api_key=US, max_retries=0)
        pieces = [ch.choices[0].delta.content
                  for ch in c.chat.completions.create(model="gpt-4o", stream=True,
                                                      messages=[{"role": "user", "content": PROMPT}],
                                                      extra_headers=script(mgw, chunks))
                  if ch.choices and ch.choices[0].delta.content]
    else:
        a = anthropic.Anthropic(base_url=mgw.url(), api_key=US, max_retries=0)
        with a.messages.stream(model="claude-sonnet-5-5", max_tokens=64,
                               messages=[{"role": "user", "content": PROMPT}],
                               extra_headers=script(mgw, chunks)) as s:
            pieces = list(s.text_stream)
    assert "".join(pieces) == want
    # no event carried a piece of a placeholder
    assert not any("[MAS" in p or "KED:" in p for p in pieces), pieces
    [rec] = mgw.audit_after(start, 1)
    assert rec["masked"] == 2 and rec["response_decision"] == "pass"
    assert SSN not in mgw.standins.everything()


def test_placeholders_resolve_only_in_their_own_request(mgw):
    start = mgw.mark()
    c = openai.OpenAI(base_url=mgw.url("/v1"), api_key=US, max_retries=0)
    out = c.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "What was it?"}],
                                    extra_headers=script(mgw, ["It was [MASKED:SSN:1]."]))
    assert out.choices[0].message.content == "It was [MASKED:SSN:1]."
    # a value the model writes itself is redacted, not restored
    out = c.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": PROMPT}],
                                    extra_headers=script(mgw, ["Also on file: 148-36-7726."]))
    assert out.choices[0].message.content == "Also on file: [REDACTED:SSN]."
    assert [r["response_decision"] for r in mgw.audit_after(start, 2)] == ["pass", "redact"]
