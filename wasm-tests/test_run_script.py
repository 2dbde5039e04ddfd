"""The README's first command, as a newcomer uses it: scripts/run brings the demo gateway up on
fixed demo ports; a benign request reaches the commercial stand-in, a marked one is refused in the
OpenAI error format and never recorded there, the audit log has a line for each; the official SDKs
work; Ctrl-C (SIGINT) stops everything it started."""
import json
import os
import signal
import socket
import subprocess
import time

import pytest

from conftest import BASE, ROOT, token

DEMO_PORTS = [18001, 18002, 18012, 18003, 18004]
GW, ADMIN = BASE + 90, BASE + 91


def busy(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    if any(busy(p) for p in DEMO_PORTS + [GW, ADMIN]):
        pytest.skip("the demo ports are in use (is scripts/run already running?)")
    var = tmp_path_factory.mktemp("run-var")
    env = dict(os.environ, GATEWAY_PORT=str(GW), ADMIN_PORT=str(ADMIN), ITAR_VAR=str(var))
    proc = subprocess.Popen([str(ROOT / "scripts" / "run")], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    out = []
    end = time.time() + 300
    while time.time() < end:
        line = proc.stdout.readline()
        if not line:
            break
        out.append(line)
        if "Ctrl-C stops everything" in line:
            break
    text = "".join(out)
    assert "ITAR gateway is up" in text and "mint-token" in text, text
    yield var, proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(30)


def post(body, tok):
    import urllib.request, urllib.error
    req = urllib.request.Request(f"http://127.0.0.1:{GW}/v1/chat/completions", data=json.dumps(body).encode(),
                                 headers={"content-type": "application/json", "authorization": f"Bearer {tok}"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_acceptance_with_scripts_run(demo):
    var, proc = demo
    tok = token(sub="newcomer", clearance="SECRET")
    status, body = post({"model": "gpt-4o", "messages": [{"role": "user", "content": "Hello!"}]}, tok)
    assert status == 200 and body["choices"][0]["message"]["content"].startswith("Hello from the commercial stand-in")
    status, body = post({"model": "gpt-4o", "messages": [{"role": "user", "content": "SECRET//NOFORN troop movements"}]}, tok)
    assert status == 403 and set(body["error"]) >= {"message", "type", "code"}
    time.sleep(0.6)  # the demo flushes the access log every 200 ms
    recorded = (var / "upstreams" / "commercial.jsonl").read_text()
    assert "Hello!" in recorded and "NOFORN" not in recorded
    audit = [json.loads(x) for x in (var / "audit.jsonl").read_text().splitlines() if x.strip()]
    assert [a["decision"] for a in audit] == ["allow", "block"]


def test_sdks_against_scripts_run(demo):
    import anthropic
    import openai

    tok = token(sub="sdk-user")
    oc = openai.OpenAI(base_url=f"http://127.0.0.1:{GW}/v1", api_key=tok, max_retries=0)
    assert oc.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}]).choices[0].message.content
    chunks = list(oc.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True))
    assert any(c.choices and c.choices[0].delta.content for c in chunks)
    ac = anthropic.Anthropic(base_url=f"http://127.0.0.1:{GW}", api_key=tok, max_retries=0)
    assert ac.messages.create(model="claude-sonnet-5-5", max_tokens=32, messages=[{"role": "user", "content": "hi"}]).content[0].text
    with ac.messages.stream(model="claude-sonnet-5-5", max_tokens=32, messages=[{"role": "user", "content": "hi"}]) as s:
        assert "".join(s.text_stream)


def test_ctrl_c_stops_everything(demo):
    var, proc = demo
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(30)
    time.sleep(0.5)
    assert not any(busy(p) for p in DEMO_PORTS + [GW, ADMIN])
