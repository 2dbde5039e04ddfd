#!/usr/bin/env python3
"""Deterministic stand-in LLM upstreams for the ITAR gateway tests.

One process runs one HTTP/1.1 server (keep-alive, chunked streaming) per
destination, bound to 127.0.0.1 only.  Each speaks enough of the OpenAI Chat
Completions, Responses, embeddings and legacy completions APIs (on OpenAI's and
Azure OpenAI's paths), of Anthropic Messages (with count_tokens) and of Google
Gemini generateContent (on the Gemini API's and Vertex AI's paths) for the
official `openai`, `anthropic` and `google-genai` Python SDKs to work against it,
streaming and non-streaming.
Standard library only.

Usage:
    python3 standin.py [--record-dir DIR] [--ready-file PATH] [--verbose] \
        onprem=18001 usgov=18002 commercial=18003 foreign=18004

Prints "standin NAME listening on 127.0.0.1:PORT" per server (PORT 0 picks a
free port; the printed line and the ready file show the real one).  The ready
file, written atomically once every server listens, holds JSON {NAME: PORT}.
Exits 0 on SIGTERM/SIGINT.

Endpoints (on every server):
    POST /v1/chat/completions   OpenAI chat.completion / chat.completion.chunk SSE
    POST /v1/messages           Anthropic message / named-event SSE
    POST /v1/messages/count_tokens  Anthropic {"input_tokens": N}
    POST /v1/responses          OpenAI Responses: a response object / named-event SSE
                                (response.created ... response.completed); what the output
                                is: x-standin-output (below)
    POST /v1/responses/input_tokens  {"object": "response.input_tokens", "input_tokens": N}
    POST /v1/embeddings         OpenAI embeddings: one 8-float vector per input string
                                (float list, or base64 with "encoding_format": "base64")
    POST /v1/completions        OpenAI legacy completions: text_completion / chunk SSE
    POST /openai/deployments/DEPLOYMENT/{chat/completions,embeddings,completions}
                                Azure OpenAI: as the /v1 paths, the model being the
                                deployment; /openai/v1/... as /v1/...
    POST /v1beta/models/MODEL:generateContent, :streamGenerateContent, :countTokens
    POST /v1/projects/P/locations/L/publishers/google/models/MODEL:... (and /v1beta1/...)
                                Google Gemini / Vertex AI: a GenerateContentResponse;
                                streamed as SSE events with ?alt=sse, else as one JSON
                                array of chunks; {"totalTokens": N}; errors in Google's
                                shape. x-standin-output "function_call": the reply is
                                the argument of a functionCall part.
    POST /model/ID/invoke       Amazon Bedrock InvokeModel for Anthropic models:
                                validates the body as Bedrock does (an
                                anthropic_version of "bedrock-2023-05-31", no
                                unknown keys such as model or stream), answers
                                an Anthropic message (model = the path's ID,
                                percent-decoded); 400 {"message": ...} otherwise
    GET  /v1/models             fixed OpenAI-style model list
    POST /mcp...                an MCP server (streamable HTTP, JSON-RPC 2.0) on every path
                                that starts with /mcp: initialize (Mcp-Session-Id), ping,
                                tools/list (echo, lookup), tools/call (echo: the arguments'
                                text back as content and structuredContent; lookup: the reply
                                text), resources/list, resources/read (text; a URI ending in
                                .bin: a blob), prompts/list, prompts/get (the prompt's
                                arguments as a user message); notifications and answers: 202.
                                Answers application/json, or text/event-stream when the
                                x-standin-mcp-sse control is set (its value: a base64 JSON
                                array of messages sent before a tools/call answer, e.g. a
                                sampling/createMessage request or a progress notification).
    GET  /mcp...                405 (no server stream) unless x-standin-raw-b64 scripts one;
    DELETE /mcp...              200 (session ended)
    GET  /healthz               200 "ok"
    anything else               404 JSON

Default reply: "Hello from the NAME stand-in (model MODEL). Your request had
N characters." with N = characters in the UTF-8-decoded request body.  Token
counts are ceil(chars / 4) of the input texts (system + message text parts)
and of the reply.  Ids are derived from a hash of the request body; "created"
is fixed.

Test control request headers (all optional; "b64" = standard base64):
    x-standin-reply-b64         UTF-8 reply text; streamed in 16-char deltas.
    x-standin-chunks-b64        JSON array of strings: one content delta (one
                                SSE event, one HTTP chunk) each when streaming;
                                concatenated when not.
    x-standin-raw-b64           JSON array of base64 strings: the raw response
                                body, each piece written as its own HTTP chunk,
                                content-type text/event-stream (override with
                                x-standin-content-type).  Works on any path and
                                whether or not the request asked to stream.
    x-standin-output            what the reply deltas are. /v1/responses: "text"
                                (default; an output_text part), "refusal" (a refusal
                                part), "function_call" (the arguments of a call to
                                "lookup"), "reasoning" (a reasoning summary, then the
                                message "Done."). /v1/chat/completions and
                                /v1/messages: "text" (default) or "tool_call" (the
                                arguments of a call to the tool "lookup": OpenAI
                                tool_calls deltas, Anthropic tool_use block with
                                input_json_delta events; buffered, the joined deltas
                                are the arguments, parsed as the input object by
                                Anthropic).
    x-standin-status            HTTP status.  >= 400: provider-format error body
                                (Anthropic format on /v1/messages, OpenAI
                                elsewhere) plus "x-should-retry: false".  Below
                                400 (or with x-standin-raw-b64) it only sets the
                                status of the normal (or raw) response.
    x-standin-delay-ms          sleep before answering.
    x-standin-chunk-delay-ms    sleep between streamed chunks (also raw pieces).
    x-standin-content-encoding  "gzip": gzip the body, Content-Encoding: gzip
                                (streams use a sync flush per event).
    x-standin-script            NAME: the control headers above are read from
                                the JSON object in RECORD_DIR/scripts/NAME.json
                                (NAME: letters, digits, '-', '_'), merged over
                                any sent directly. The gateway forwards no
                                header it does not scan (x-standin-* included
                                unless its policy forwards them), so the tests
                                script replies this way: the only thing that
                                crosses the gateway is an opaque name.
A malformed control header gets a 400 with error type "standin_control_error".

Recording: every request (any path, including /healthz) is appended, before it
is answered, as one JSON line to RECORD_DIR/NAME.jsonl:
    {"ts", "destination", "method", "path", "headers" {lowercased: value},
     "body" (UTF-8 text) or "body_b64" (if not valid UTF-8)}
"path" includes any query string; repeated headers are joined with ", ".
"""

from __future__ import annotations

import argparse
import base64
import binascii
import datetime
import gzip
import hashlib
import json
import math
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREATED = 1_700_000_000
MODELS = ["gpt-4o", "claude-sonnet-5-5", "llama-3.1-70b", "mistral-large"]
REPLY_DELTA_CHARS = 16
DEFAULT_DELTAS = 4

OPENAI_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    409: "conflict_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
}
ANTHROPIC_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    529: "overloaded_error",
}


GOOGLE_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL",
                 503: "UNAVAILABLE"}
AZURE_PATH = re.compile(r"^/openai/deployments/([^/]+)/(chat/completions|embeddings|completions)$")
GEMINI_PATH = re.compile(r"^/(?:v1beta|v1|v1beta1)/(?:projects/[^/]+/locations/[^/]+/publishers/"
                         r"google/)?models/([^/:]+):(generateContent|streamGenerateContent|"
                         r"countTokens)$")


class ControlError(ValueError):
    """A malformed x-standin-* header."""


class BadRequest(ValueError):
    """A request body the stand-in cannot make sense of."""


def tokens(chars: int) -> int:
    return math.ceil(chars / 4)


def collect_text(content) -> list[str]:
    """Text parts of an OpenAI/Anthropic content value (string or block list)."""
    if isinstance(content, str):
        return [content]
    out: list[str] = []
    if isinstance(content, list):
        for block in content:
            if isinstance(block, str):
                out.append(block)
            elif isinstance(block, dict):
                if isinstance(block.get("text"), str):
                    out.append(block["text"])
                if "content" in block:  # e.g. Anthropic tool_result
                    out.extend(collect_text(block["content"]))
    return out


def input_chars(req: dict) -> int:
    texts = collect_text(req.get("system")) + collect_text(req.get("instructions"))
    for msg in req.get("messages") or []:
        if isinstance(msg, dict):
            texts.extend(collect_text(msg.get("content")))
    for content in (req.get("contents") or []) + [req.get("systemInstruction")]:  # Gemini
        if isinstance(content, dict):
            texts.extend(collect_text(content.get("parts")))
    for key in ("input", "prompt"):  # Responses, embeddings, legacy completions
        value = req.get(key)
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    texts.append(item)
                elif isinstance(item, dict):
                    texts.extend(collect_text(item.get("content")))
                    if isinstance(item.get("output"), str):
                        texts.append(item["output"])
    return sum(len(t) for t in texts)


def split_words(text: str, parts: int) -> list[str]:
    """Split text at word boundaries into at most `parts` roughly equal deltas."""
    words = re.findall(r"\S+\s*|\s+", text)
    if not words:
        return []
    per = math.ceil(len(words) / parts)
    return ["".join(words[i:i + per]) for i in range(0, len(words), per)]


def split_fixed(text: str, size: int) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)]


def b64_header(value: str, name: str) -> bytes:
    try:
        return base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as e:
        raise ControlError(f"{name}: invalid base64: {e}") from None


def json_list_header(value: str, name: str) -> list:
    try:
        data = json.loads(b64_header(value, name).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ControlError(f"{name}: invalid JSON: {e}") from None
    if not isinstance(data, list) or not all(isinstance(x, str) for x in data):
        raise ControlError(f"{name}: expected a JSON array of strings")
    return data


def int_header(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        raise ControlError(f"{name}: expected an integer, got {value!r}") from None


class Recorder:
    """Appends one JSON line per request to DIR/NAME.jsonl (thread-safe)."""

    def __init__(self, directory: str | None):
        self.directory = directory
        self.lock = threading.Lock()
        if directory:
            os.makedirs(directory, exist_ok=True)

    def record(self, destination: str, method: str, path: str,
               headers: dict[str, str], body: bytes) -> None:
        if not self.directory:
            return
        entry = {
            "ts": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "destination": destination,
            "method": method,
            "path": path,
            "headers": headers,
        }
        try:
            entry["body"] = body.decode("utf-8")
        except UnicodeDecodeError:
            entry["body_b64"] = base64.b64encode(body).decode("ascii")
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self.lock:
            with open(os.path.join(self.directory, destination + ".jsonl"),
                      "a", encoding="utf-8") as f:
                f.write(line)


class StandinServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, destination: str, port: int, recorder: Recorder, verbose: bool):
        self.destination = destination
        self.recorder = recorder
        self.verbose = verbose
        super().__init__(("127.0.0.1", port), Handler)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "standin/1"
    server: StandinServer

    def setup(self):
        super().setup()
        # Flush each streamed chunk onto the wire immediately.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):  # noqa: A002 (stdlib signature)
        if self.server.verbose:
            sys.stderr.write(f"standin {self.server.destination}: {format % args}\n")

    # Every method goes through the same path so that everything is recorded.
    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    # ----------------------------------------------------------------- input

    def read_body(self) -> bytes:
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            parts = []
            while True:
                size_line = self.rfile.readline(65537)
                if not size_line:
                    raise BadRequest("truncated chunked body")
                try:
                    size = int(size_line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise BadRequest(f"bad chunk size line {size_line!r}") from None
                if size == 0:
                    # Skip trailers up to the blank line.
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                data = self.rfile.read(size)
                if len(data) != size:
                    raise BadRequest("truncated chunk")
                parts.append(data)
                self.rfile.readline(65537)  # CRLF after the chunk data
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
        except ValueError:
            raise BadRequest(f"bad Content-Length {length!r}") from None
        data = self.rfile.read(n)
        if len(data) != n:
            raise BadRequest("truncated body")
        return data

    def header_dict(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            out[key] = f"{out[key]}, {value}" if key in out else value
        return out

    # ---------------------------------------------------------------- output

    def send_bytes(self, status: int, body: bytes, content_type: str,
                   extra: dict[str, str] | None = None) -> None:
        """A complete (Content-Length) response, gzipped on request."""
        headers = dict(extra or {})
        if self.gzip:
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status: int, obj, extra: dict[str, str] | None = None) -> None:
        self.send_bytes(status, json.dumps(obj).encode("utf-8"), "application/json", extra)

    def send_stream(self, status: int, pieces, content_type: str = "text/event-stream") -> None:
        """A chunked response; each piece is written as its own HTTP chunk."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        compressor = None
        if self.gzip:
            self.send_header("Content-Encoding", "gzip")
            compressor = zlib.compressobj(wbits=31)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

        def chunk(data: bytes) -> None:
            if data:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

        for i, piece in enumerate(pieces):
            if i and self.chunk_delay:
                time.sleep(self.chunk_delay)
            if compressor:
                piece = compressor.compress(piece) + compressor.flush(zlib.Z_SYNC_FLUSH)
            chunk(piece)
        if compressor:
            chunk(compressor.flush())
        self.wfile.write(b"0\r\n\r\n")

    # -------------------------------------------------------------- dispatch

    def dispatch(self) -> None:
        self.gzip = False
        self.chunk_delay = 0.0
        self.control: dict[str, str] = {}
        path = self.path.split("?", 1)[0]
        anthropic_fmt = path.startswith("/v1/messages")
        self.gemini_fmt = GEMINI_PATH.match(path) is not None
        try:
            body = self.read_body()
        except BadRequest as e:
            self.close_connection = True
            self.server.recorder.record(self.server.destination, self.command, self.path,
                                        self.header_dict(), b"")
            self.send_error_body(400, str(e), anthropic_fmt)
            return
        self.server.recorder.record(self.server.destination, self.command, self.path,
                                    self.header_dict(), body)
        try:
            self.control = self.control_headers()
            self.answer(path, body, anthropic_fmt)
        except ControlError as e:
            self.gzip = False
            self.send_error_body(400, str(e), anthropic_fmt, etype="standin_control_error")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def control_headers(self) -> dict[str, str]:
        """The x-standin-* control headers: sent directly, or scripted by name (x-standin-script)."""
        out = {k.lower(): v for k, v in self.headers.items() if k.lower().startswith("x-standin-")}
        name = out.pop("x-standin-script", None)
        if name is None:
            return out
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name) or not self.server.recorder.directory:
            raise ControlError(f"x-standin-script: bad name {name!r} (or no --record-dir)")
        path = os.path.join(self.server.recorder.directory, "scripts", name + ".json")
        try:
            with open(path, encoding="utf-8") as f:
                script = json.load(f)
        except (OSError, ValueError) as e:
            raise ControlError(f"x-standin-script: cannot read {path}: {e}") from None
        if not isinstance(script, dict) or not all(isinstance(v, str) for v in script.values()):
            raise ControlError("x-standin-script: the script must be a JSON object of strings")
        out.update({k.lower(): v for k, v in script.items()})
        return out

    def answer(self, path: str, body: bytes, anthropic_fmt: bool) -> None:
        h = self.control
        delay = int_header(h.get("x-standin-delay-ms"), "x-standin-delay-ms")
        chunk_delay = int_header(h.get("x-standin-chunk-delay-ms"), "x-standin-chunk-delay-ms")
        status = int_header(h.get("x-standin-status"), "x-standin-status")
        if status is not None and not 100 <= status <= 599:
            raise ControlError(f"x-standin-status: {status} out of range")
        self.chunk_delay = (chunk_delay or 0) / 1000
        self.gzip = (h.get("x-standin-content-encoding") or "").strip().lower() == "gzip"
        if delay:
            time.sleep(delay / 1000)

        if path == "/healthz" and self.command == "GET":
            self.send_bytes(200, b"ok", "text/plain")
            return

        raw = h.get("x-standin-raw-b64")
        if raw is not None:
            pieces = [b64_header(p, "x-standin-raw-b64 element")
                      for p in json_list_header(raw, "x-standin-raw-b64")]
            ctype = h.get("x-standin-content-type") or "text/event-stream"
            self.send_stream(status or 200, pieces, ctype)
            return

        if path.startswith("/mcp"):
            self.mcp(body, status)
            return

        if status is not None and status >= 400:
            self.send_error_body(status, f"stand-in scripted error (status {status})",
                                 anthropic_fmt, extra={"x-should-retry": "false"})
            return

        # Azure OpenAI: the deployment is the model; /openai/v1/... is the OpenAI API.
        deployment = None
        azure = AZURE_PATH.match(path)
        if azure:
            deployment, path = azure.group(1), "/v1/" + azure.group(2)
        elif path.startswith("/openai/v1/"):
            path = path[len("/openai"):]
        gemini = GEMINI_PATH.match(path)

        if self.command == "POST" and gemini:
            try:
                req = json.loads(body.decode("utf-8"))
                if not isinstance(req, dict):
                    raise ValueError("body is not a JSON object")
            except (UnicodeDecodeError, ValueError) as e:
                self.send_error_body(400, f"invalid JSON body: {e}", False)
                return
            req["model"] = gemini.group(1)
            method = gemini.group(2)
            if method == "countTokens":
                self.send_json(status or 200, {"totalTokens": tokens(input_chars(req))})
                return
            deltas = self.reply_deltas(req, body)
            ids = hashlib.sha256(body).hexdigest()[:24]
            sse = "alt=sse" in (self.path.split("?", 1) + [""])[1].split("&")
            self.gemini(req, deltas, ids, status or 200,
                        stream=method == "streamGenerateContent", sse=sse)
        elif self.command == "POST" and path in ("/v1/chat/completions", "/v1/messages",
                                               "/v1/messages/count_tokens", "/v1/responses",
                                               "/v1/responses/input_tokens", "/v1/embeddings",
                                               "/v1/completions"):
            try:
                req = json.loads(body.decode("utf-8"))
                if not isinstance(req, dict):
                    raise ValueError("body is not a JSON object")
            except (UnicodeDecodeError, ValueError) as e:
                self.send_error_body(400, f"invalid JSON body: {e}", anthropic_fmt)
                return
            if deployment is not None:
                req["model"] = deployment
            deltas = self.reply_deltas(req, body)
            ids = hashlib.sha256(body).hexdigest()[:24]
            if path == "/v1/messages":
                self.anthropic(req, deltas, ids, status or 200)
            elif path == "/v1/messages/count_tokens":
                self.send_json(status or 200, {"input_tokens": tokens(input_chars(req))})
            elif path == "/v1/responses":
                self.openai_responses(req, deltas, ids, status or 200)
            elif path == "/v1/responses/input_tokens":
                self.send_json(status or 200, {"object": "response.input_tokens",
                                               "input_tokens": tokens(input_chars(req))})
            elif path == "/v1/embeddings":
                self.embeddings(req, status or 200)
            elif path == "/v1/completions":
                self.completions(req, deltas, ids, status or 200)
            else:
                self.openai(req, deltas, ids, status or 200)
        elif self.command == "POST" and path.startswith("/model/") and path.endswith("/invoke"):
            raw_id = path[len("/model/"):-len("/invoke")]
            if "/" in raw_id:  # as Bedrock: the ID is one path segment ('/' percent-encoded)
                self.send_json(404, {"message": f"no such model path {path}"})
                return
            self.bedrock_invoke(urllib.parse.unquote(raw_id), body, status)
        elif self.command == "GET" and path == "/v1/models":
            self.send_json(status or 200, {"object": "list", "data": [
                {"id": m, "object": "model", "created": CREATED, "owned_by": "standin"}
                for m in MODELS]})
        else:
            self.send_error_body(404, f"no route for {self.command} {path}", anthropic_fmt,
                                 etype="not_found_error")

    # ------------------------------------------------------------------- MCP

    def mcp(self, body: bytes, status: int | None) -> None:
        """A small MCP server over streamable HTTP (see the module docstring)."""
        if self.command == "DELETE":
            self.send_bytes(200, b"", "text/plain")
            return
        if self.command != "POST":
            self.send_bytes(405, b"", "text/plain", {"Allow": "POST, DELETE"})
            return
        try:
            msg = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            self.send_json(400, {"jsonrpc": "2.0", "id": None,
                                 "error": {"code": -32700, "message": f"parse error: {e}"}})
            return
        if not isinstance(msg, dict) or "method" not in msg or "id" not in msg:
            # A notification or an answer to one of the server's requests.
            self.send_bytes(202, b"", "text/plain")
            return
        method, params, rid = msg["method"], msg.get("params") or {}, msg["id"]
        reply = (b64_header(self.control["x-standin-reply-b64"], "x-standin-reply-b64").decode("utf-8")
                 if "x-standin-reply-b64" in self.control
                 else f"Hello from the {self.server.destination} stand-in MCP server.")
        extra: dict[str, str] = {}
        if method == "initialize":
            extra["Mcp-Session-Id"] = "standin-" + hashlib.sha256(body).hexdigest()[:16]
            result = {"protocolVersion": params.get("protocolVersion", "2025-06-18"),
                      "capabilities": {"tools": {}, "resources": {}, "prompts": {}},
                      "serverInfo": {"name": f"standin-{self.server.destination}", "version": "1"}}
        elif method == "ping":
            result = {}
        elif method == "tools/list":
            schema = {"type": "object", "properties": {"text": {"type": "string"}}}
            result = {"tools": [
                {"name": "echo", "description": "Echo the text back.", "inputSchema": schema},
                {"name": "lookup", "description": "Look something up.", "inputSchema": schema}]}
        elif method == "tools/call":
            args = params.get("arguments") or {}
            text = str(args.get("text", "")) if params.get("name") == "echo" else reply
            result = {"content": [{"type": "text", "text": text}],
                      "structuredContent": {"text": text}, "isError": False}
        elif method == "resources/list":
            result = {"resources": [{"uri": "file:///notes.txt", "name": "notes"}]}
        elif method == "resources/read":
            uri = str(params.get("uri", ""))
            content = ({"uri": uri, "mimeType": "application/octet-stream",
                        "blob": base64.b64encode(reply.encode("utf-8")).decode()}
                       if uri.endswith(".bin") else {"uri": uri, "mimeType": "text/plain", "text": reply})
            result = {"contents": [content]}
        elif method == "prompts/list":
            result = {"prompts": [{"name": "summarize", "arguments": [{"name": "text"}]}]}
        elif method == "prompts/get":
            text = " ".join(str(v) for v in (params.get("arguments") or {}).values()) or reply
            result = {"messages": [{"role": "user", "content": {"type": "text", "text": text}}]}
        else:
            answer = {"jsonrpc": "2.0", "id": rid,
                      "error": {"code": -32601, "message": f"method not found: {method}"}}
            self.send_json(status or 200, answer, extra)
            return
        answer = {"jsonrpc": "2.0", "id": rid, "result": result}
        before = self.control.get("x-standin-mcp-sse")
        if before is None:
            self.send_json(status or 200, answer, extra)
            return
        msgs = (json.loads(b64_header(before, "x-standin-mcp-sse").decode("utf-8"))
                if before and method == "tools/call" else [])
        events = [b"id: 0\ndata: \n\n"]  # a priming event, as 2025-11-25 servers send
        for i, m in enumerate([*msgs, answer], start=1):
            events.append(f"event: message\nid: {i}\ndata: {json.dumps(m)}\n\n".encode("utf-8"))
        self.send_response(status or 200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        for k, v in extra.items():
            self.send_header(k, v)
        self.end_headers()
        for i, e in enumerate(events):
            if i and self.chunk_delay:
                time.sleep(self.chunk_delay)
            self.wfile.write(b"%x\r\n%s\r\n" % (len(e), e))
        self.wfile.write(b"0\r\n\r\n")

    def send_error_body(self, status: int, message: str, anthropic_fmt: bool,
                        etype: str | None = None, extra: dict[str, str] | None = None) -> None:
        if getattr(self, "gemini_fmt", False):
            self.send_json(status, {"error": {"code": status, "message": message,
                                              "status": GOOGLE_STATUS.get(status, "UNKNOWN")}},
                           extra)
        elif anthropic_fmt:
            etype = etype or ANTHROPIC_ERROR_TYPES.get(status, "api_error")
            self.send_json(status, {"type": "error",
                                    "error": {"type": etype, "message": message}}, extra)
        else:
            etype = etype or OPENAI_ERROR_TYPES.get(
                status, "server_error" if status >= 500 else "invalid_request_error")
            self.send_json(status, {"error": {"message": message, "type": etype,
                                              "param": None, "code": str(status)}}, extra)

    def reply_deltas(self, req: dict, body: bytes) -> list[str]:
        """The reply as the list of streamed content deltas."""
        chunks = self.control.get("x-standin-chunks-b64")
        if chunks is not None:
            return json_list_header(chunks, "x-standin-chunks-b64")
        reply = self.control.get("x-standin-reply-b64")
        if reply is not None:
            try:
                text = b64_header(reply, "x-standin-reply-b64").decode("utf-8")
            except UnicodeDecodeError as e:
                raise ControlError(f"x-standin-reply-b64: not UTF-8: {e}") from None
            return split_fixed(text, REPLY_DELTA_CHARS)
        n = len(body.decode("utf-8", errors="replace"))
        text = (f"Hello from the {self.server.destination} stand-in "
                f"(model {req.get('model')}). Your request had {n} characters.")
        return split_words(text, DEFAULT_DELTAS)

    def tool_output(self) -> bool:
        """x-standin-output on chat completions and messages: True for "tool_call"."""
        kind = (self.control.get("x-standin-output") or "text").strip()
        if kind not in ("text", "tool_call"):
            raise ControlError(f"x-standin-output: unknown output {kind!r} for this path")
        return kind == "tool_call"

    # ---------------------------------------------------------------- OpenAI

    def openai(self, req: dict, deltas: list[str], ids: str, status: int) -> None:
        model = req.get("model")
        text = "".join(deltas)
        prompt, completion = tokens(input_chars(req)), tokens(len(text))
        usage = {"prompt_tokens": prompt, "completion_tokens": completion,
                 "total_tokens": prompt + completion}
        base = {"id": f"chatcmpl-standin-{ids}", "created": CREATED, "model": model,
                "system_fingerprint": None}
        tool = self.tool_output()
        call_id = f"call_standin_{ids[:12]}"
        finish = "tool_calls" if tool else "stop"
        if not req.get("stream"):
            message = ({"role": "assistant", "content": None, "refusal": None, "tool_calls": [
                {"id": call_id, "type": "function",
                 "function": {"name": "lookup", "arguments": text}}]} if tool else
                {"role": "assistant", "content": text, "refusal": None})
            self.send_json(status, {**base, "object": "chat.completion", "choices": [{
                "index": 0, "message": message,
                "logprobs": None, "finish_reason": finish}], "usage": usage})
            return

        include_usage = bool((req.get("stream_options") or {}).get("include_usage"))

        def chunk(delta: dict, finish: str | None) -> bytes:
            obj = {**base, "object": "chat.completion.chunk", "choices": [{
                "index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}
            if include_usage:
                obj["usage"] = None
            return b"data: " + json.dumps(obj).encode("utf-8") + b"\n\n"

        def events():
            if tool:
                yield chunk({"role": "assistant", "content": None, "tool_calls": [
                    {"index": 0, "id": call_id, "type": "function",
                     "function": {"name": "lookup", "arguments": ""}}]}, None)
                for d in deltas:
                    yield chunk({"tool_calls": [{"index": 0, "function": {"arguments": d}}]}, None)
            else:
                yield chunk({"role": "assistant", "content": "", "refusal": None}, None)
                for d in deltas:
                    yield chunk({"content": d}, None)
            yield chunk({}, finish)
            if include_usage:
                obj = {**base, "object": "chat.completion.chunk", "choices": [], "usage": usage}
                yield b"data: " + json.dumps(obj).encode("utf-8") + b"\n\n"
            yield b"data: [DONE]\n\n"

        self.send_stream(status, events())

    # ------------------------------------------------------ OpenAI Responses

    def openai_responses(self, req: dict, deltas: list[str], ids: str, status: int) -> None:
        model = req.get("model")
        kind = (self.control.get("x-standin-output") or "text").strip()
        if kind not in ("text", "refusal", "function_call", "reasoning"):
            raise ControlError(f"x-standin-output: unknown output {kind!r}")
        text = "".join(deltas)
        in_tok, out_tok = tokens(input_chars(req)), tokens(len(text))
        usage = {"input_tokens": in_tok, "input_tokens_details": {"cached_tokens": 0},
                 "output_tokens": out_tok, "output_tokens_details": {"reasoning_tokens": 0},
                 "total_tokens": in_tok + out_tok}
        rid = f"resp_standin_{ids}"

        def message(content: list, status_: str = "completed") -> dict:
            return {"type": "message", "id": f"msg_standin_{ids}", "status": status_,
                    "role": "assistant", "content": content}

        if kind == "function_call":
            items = [{"type": "function_call", "id": f"fc_standin_{ids}", "call_id": "call_1",
                      "name": "lookup", "arguments": text, "status": "completed"}]
        elif kind == "reasoning":
            items = [{"type": "reasoning", "id": f"rs_standin_{ids}",
                      "summary": [{"type": "summary_text", "text": text}]},
                     message([{"type": "output_text", "text": "Done.", "annotations": []}])]
        elif kind == "refusal":
            items = [message([{"type": "refusal", "refusal": text}])]
        else:
            items = [message([{"type": "output_text", "text": text, "annotations": []}])]

        def response(status_: str, output: list, with_usage: bool) -> dict:
            return {"id": rid, "object": "response", "created_at": CREATED, "status": status_,
                    "model": model, "output": output, "instructions": req.get("instructions"),
                    "tools": req.get("tools") or [], "tool_choice": "auto",
                    "parallel_tool_calls": True, "error": None, "incomplete_details": None,
                    "metadata": req.get("metadata") or {},
                    "usage": usage if with_usage else None}

        if not req.get("stream"):
            self.send_json(status, response("completed", items, True))
            return

        seq = [0]

        def event(data: dict) -> bytes:
            data = {**data, "sequence_number": seq[0]}
            seq[0] += 1
            return (f"event: {data['type']}\ndata: ".encode("utf-8")
                    + json.dumps(data).encode("utf-8") + b"\n\n")

        def events():
            yield event({"type": "response.created", "response": response("in_progress", [], False)})
            yield event({"type": "response.in_progress", "response": response("in_progress", [], False)})
            for oi, item in enumerate(items):
                iid = item["id"]
                if item["type"] == "function_call":
                    yield event({"type": "response.output_item.added", "output_index": oi,
                                 "item": {**item, "arguments": "", "status": "in_progress"}})
                    for d in deltas:
                        yield event({"type": "response.function_call_arguments.delta",
                                     "item_id": iid, "output_index": oi, "delta": d})
                    yield event({"type": "response.function_call_arguments.done", "item_id": iid,
                                 "output_index": oi, "arguments": item["arguments"]})
                elif item["type"] == "reasoning":
                    yield event({"type": "response.output_item.added", "output_index": oi,
                                 "item": {**item, "summary": []}})
                    yield event({"type": "response.reasoning_summary_part.added", "item_id": iid,
                                 "output_index": oi, "summary_index": 0,
                                 "part": {"type": "summary_text", "text": ""}})
                    for d in deltas:
                        yield event({"type": "response.reasoning_summary_text.delta",
                                     "item_id": iid, "output_index": oi, "summary_index": 0,
                                     "delta": d})
                    yield event({"type": "response.reasoning_summary_text.done", "item_id": iid,
                                 "output_index": oi, "summary_index": 0, "text": text})
                    yield event({"type": "response.reasoning_summary_part.done", "item_id": iid,
                                 "output_index": oi, "summary_index": 0,
                                 "part": {"type": "summary_text", "text": text}})
                else:
                    part = item["content"][0]
                    field = "refusal" if part["type"] == "refusal" else "text"
                    body = part[field]
                    pieces = deltas if body == text else [body]
                    yield event({"type": "response.output_item.added", "output_index": oi,
                                 "item": message([], "in_progress")})
                    yield event({"type": "response.content_part.added", "item_id": iid,
                                 "output_index": oi, "content_index": 0,
                                 "part": {**part, field: ""}})
                    name = "response.refusal" if field == "refusal" else "response.output_text"
                    for d in pieces:
                        extra = {} if field == "refusal" else {"logprobs": []}
                        yield event({"type": f"{name}.delta", "item_id": iid, "output_index": oi,
                                     "content_index": 0, "delta": d, **extra})
                    yield event({"type": f"{name}.done", "item_id": iid, "output_index": oi,
                                 "content_index": 0, field: body})
                    yield event({"type": "response.content_part.done", "item_id": iid,
                                 "output_index": oi, "content_index": 0, "part": part})
                yield event({"type": "response.output_item.done", "output_index": oi, "item": item})
            yield event({"type": "response.completed", "response": response("completed", items, True)})

        self.send_stream(status, events())

    # ------------------------------------------ OpenAI embeddings, completions

    def embeddings(self, req: dict, status: int) -> None:
        inputs = req.get("input")
        if isinstance(inputs, str):
            inputs = [inputs]
        if not isinstance(inputs, list) or not all(isinstance(x, str) for x in inputs):
            self.send_error_body(400, "input must be a string or an array of strings", False)
            return
        data = []
        for i, text in enumerate(inputs):
            digest = hashlib.sha256(text.encode("utf-8")).digest()
            vec = [round(b / 255 - 0.5, 4) for b in digest[:8]]
            if req.get("encoding_format") == "base64":
                import struct
                emb = base64.b64encode(struct.pack(f"<{len(vec)}f", *vec)).decode("ascii")
            else:
                emb = vec
            data.append({"object": "embedding", "index": i, "embedding": emb})
        n = tokens(sum(len(t) for t in inputs))
        self.send_json(status, {"object": "list", "data": data, "model": req.get("model"),
                                "usage": {"prompt_tokens": n, "total_tokens": n}})

    def completions(self, req: dict, deltas: list[str], ids: str, status: int) -> None:
        model = req.get("model")
        text = "".join(deltas)
        prompt, completion = tokens(input_chars(req)), tokens(len(text))
        usage = {"prompt_tokens": prompt, "completion_tokens": completion,
                 "total_tokens": prompt + completion}
        base = {"id": f"cmpl-standin-{ids}", "object": "text_completion", "created": CREATED,
                "model": model}
        if not req.get("stream"):
            self.send_json(status, {**base, "choices": [{
                "text": text, "index": 0, "logprobs": None, "finish_reason": "stop"}],
                "usage": usage})
            return
        include_usage = bool((req.get("stream_options") or {}).get("include_usage"))

        def chunk(text_: str, finish: str | None) -> bytes:
            obj = {**base, "choices": [{"text": text_, "index": 0, "logprobs": None,
                                        "finish_reason": finish}]}
            return b"data: " + json.dumps(obj).encode("utf-8") + b"\n\n"

        def events():
            for d in deltas:
                yield chunk(d, None)
            yield chunk("", "stop")
            if include_usage:
                obj = {**base, "choices": [], "usage": usage}
                yield b"data: " + json.dumps(obj).encode("utf-8") + b"\n\n"
            yield b"data: [DONE]\n\n"

        self.send_stream(status, events())

    # ----------------------------------------------------------------- Gemini

    def gemini(self, req: dict, deltas: list[str], ids: str, status: int,
               stream: bool, sse: bool) -> None:
        model = req.get("model")
        text = "".join(deltas)
        prompt, completion = tokens(input_chars(req)), tokens(len(text))
        call = self.control.get("x-standin-output") == "function_call"

        def chunk(part_text: str, last: bool) -> dict:
            part = ({"functionCall": {"name": "lookup", "args": {"q": part_text}}} if call
                    else {"text": part_text})
            cand = {"content": {"parts": [part], "role": "model"}, "index": 0}
            usage = {"promptTokenCount": prompt}
            if last:
                cand["finishReason"] = "STOP"
                usage.update(candidatesTokenCount=completion,
                             totalTokenCount=prompt + completion)
            return {"candidates": [cand], "usageMetadata": usage, "modelVersion": model,
                    "responseId": f"standin-{ids}"}

        if not stream:
            self.send_json(status, chunk(text, True))
            return
        pieces = [deltas] if call else [[d] for d in deltas] or [[""]]
        chunks = [chunk("".join(p), i == len(pieces) - 1) for i, p in enumerate(pieces)]
        if sse:
            self.send_stream(status, (b"data: " + json.dumps(c).encode("utf-8") + b"\r\n\r\n"
                                      for c in chunks))
        else:
            # The API's default stream: one JSON array, written a chunk at a time.
            out = [("[" if i == 0 else ",\r\n") + json.dumps(c) for i, c in enumerate(chunks)]
            out[-1] += "]"
            self.send_stream(status, (o.encode("utf-8") for o in out), "application/json")

    # ------------------------------------------------------------- Anthropic

    BEDROCK_KEYS = {"anthropic_version", "anthropic_beta", "max_tokens", "messages", "system",
                    "temperature", "top_p", "top_k", "stop_sequences", "tools", "tool_choice",
                    "metadata", "thinking"}

    def bedrock_invoke(self, model: str, body: bytes, status: int | None) -> None:
        """Bedrock runtime InvokeModel, Anthropic models: its validation, an Anthropic answer."""
        def refuse(message: str) -> None:
            self.send_json(400, {"message": message}, {"x-amzn-errortype": "ValidationException"})
        try:
            req = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return refuse("Malformed input request, please reformat your input and try again.")
        if not isinstance(req, dict):
            return refuse("Malformed input request: expected an object")
        extra = sorted(set(req) - self.BEDROCK_KEYS)
        if extra:
            return refuse(f"Malformed input request: extraneous key [{extra[0]}] is not permitted")
        if req.get("anthropic_version") != "bedrock-2023-05-31":
            return refuse("Malformed input request: anthropic_version must be bedrock-2023-05-31")
        if not isinstance(req.get("max_tokens"), int) or not isinstance(req.get("messages"), list):
            return refuse("Malformed input request: max_tokens and messages are required")
        req["model"] = model
        ids = hashlib.sha256(body).hexdigest()[:24]
        self.anthropic(req, self.reply_deltas(req, body), ids, status or 200)

    def anthropic(self, req: dict, deltas: list[str], ids: str, status: int) -> None:
        model = req.get("model")
        text = "".join(deltas)
        in_tok, out_tok = tokens(input_chars(req)), tokens(len(text))
        msg_id = f"msg_standin_{ids}"
        tool = self.tool_output()
        tool_id = f"toolu_standin_{ids[:12]}"
        stop = "tool_use" if tool else "end_turn"
        if not req.get("stream"):
            if tool:
                try:
                    tool_input = json.loads(text)
                except ValueError:
                    tool_input = {"text": text}
                content = [{"type": "tool_use", "id": tool_id, "name": "lookup", "input": tool_input}]
            else:
                content = [{"type": "text", "text": text}]
            self.send_json(status, {
                "id": msg_id, "type": "message", "role": "assistant", "model": model,
                "content": content, "stop_reason": stop, "stop_sequence": None,
                "usage": {"input_tokens": in_tok, "output_tokens": out_tok}})
            return

        def event(name: str, data: dict) -> bytes:
            return (f"event: {name}\ndata: ".encode("utf-8")
                    + json.dumps(data).encode("utf-8") + b"\n\n")

        def events():
            yield event("message_start", {"type": "message_start", "message": {
                "id": msg_id, "type": "message", "role": "assistant", "model": model,
                "content": [], "stop_reason": None, "stop_sequence": None,
                "usage": {"input_tokens": in_tok, "output_tokens": 1}}})
            block = ({"type": "tool_use", "id": tool_id, "name": "lookup", "input": {}} if tool
                     else {"type": "text", "text": ""})
            yield event("content_block_start", {"type": "content_block_start", "index": 0,
                                                "content_block": block})
            yield event("ping", {"type": "ping"})
            for d in deltas:
                delta = ({"type": "input_json_delta", "partial_json": d} if tool
                         else {"type": "text_delta", "text": d})
                yield event("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                    "delta": delta})
            yield event("content_block_stop", {"type": "content_block_stop", "index": 0})
            yield event("message_delta", {"type": "message_delta",
                                          "delta": {"stop_reason": stop,
                                                    "stop_sequence": None},
                                          "usage": {"output_tokens": out_tok}})
            yield event("message_stop", {"type": "message_stop"})

        self.send_stream(status, events())


def parse_destination(spec: str) -> tuple[str, int]:
    name, sep, port = spec.partition("=")
    if not sep or not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or not port.isdigit() \
            or not 0 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"expected NAME=PORT, got {spec!r}")
    return name, int(port)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Deterministic stand-in LLM upstreams.")
    ap.add_argument("--record-dir", help="append request records to DIR/NAME.jsonl")
    ap.add_argument("--ready-file", help="write JSON {NAME: PORT} here once all servers listen")
    ap.add_argument("--verbose", action="store_true", help="log each request to stderr")
    ap.add_argument("destinations", nargs="+", type=parse_destination, metavar="NAME=PORT")
    args = ap.parse_args(argv)

    names = [n for n, _ in args.destinations]
    if len(set(names)) != len(names):
        ap.error("destination names must be unique")

    recorder = Recorder(args.record_dir)
    servers: list[StandinServer] = []
    try:
        for name, port in args.destinations:
            servers.append(StandinServer(name, port, recorder, args.verbose))
    except OSError as e:
        print(f"standin: cannot listen: {e}", file=sys.stderr, flush=True)
        for s in servers:
            s.server_close()
        return 2

    # The handler only appends to a list: calling Event.set() from a signal handler can deadlock,
    # because the handler may run while this thread holds the Event's own lock inside
    # Event.wait() (seen once: SIGINT left the stand-in stuck forever, and scripts/run with it).
    stop: list[int] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, _frame: stop.append(signum))

    threads = []
    for s in servers:
        t = threading.Thread(target=s.serve_forever, name=f"standin-{s.destination}",
                             daemon=True)
        t.start()
        threads.append(t)
        print(f"standin {s.destination} listening on 127.0.0.1:{s.server_address[1]}",
              flush=True)

    if args.ready_file:
        tmp = f"{args.ready_file}.tmp.{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({s.destination: s.server_address[1] for s in servers}, f)
        os.replace(tmp, args.ready_file)

    while not stop:
        time.sleep(0.2)
    for s in servers:
        s.shutdown()
        s.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
