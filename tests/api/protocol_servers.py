"""Loopback servers speaking the protocols lead processing calls: a JSON enrichment service and
an OpenAI-compatible `POST /v1/chat/completions` endpoint. Both record what they receive."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class ProtocolServer:
    url: str
    server: ThreadingHTTPServer
    requests: list[dict[str, Any]] = field(default_factory=list)

    def stop(self) -> None:
        self.server.shutdown()


def _serve(answer: Any) -> ProtocolServer:
    """`answer(path, body) -> (status, json)` for every POST."""
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            seen.append({"path": self.path, "body": body,
                         "headers": {k.lower(): v for k, v in self.headers.items()}})
            status, reply = answer(self.path, body)
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return ProtocolServer(f"http://127.0.0.1:{server.server_address[1]}", server, seen)


def start_enrichment_service(answers: dict[str, tuple[int, Any]]) -> ProtocolServer:
    """Answers POST <path> with `answers[path]` (status, JSON); unknown paths 404."""
    return _serve(lambda path, _body: answers.get(path, (404, {"error": "no such service"})))


def start_chat_completions() -> ProtocolServer:
    """An OpenAI-compatible chat endpoint: the reply names the model and the last message's
    first line, or "87" when asked for a score."""

    def answer(path: str, body: dict[str, Any]) -> tuple[int, Any]:
        if path != "/v1/chat/completions":
            return 404, {"error": {"message": "not found"}}
        prompt = body["messages"][-1]["content"]
        content = "87" if "Score this lead" in prompt else (
            f"[{body['model']}] {prompt.splitlines()[0]}")
        return 200, {"id": "chatcmpl-test", "object": "chat.completion", "created": 0,
                     "model": body["model"],
                     "choices": [{"index": 0, "finish_reason": "stop",
                                  "message": {"role": "assistant", "content": content}}],
                     "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}

    return _serve(answer)
