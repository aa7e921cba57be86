"""A team's model server (app.external_recommender, docs/recommender-api.md), against real HTTP servers on
localhost: the example server of docs/examples, and servers that answer badly or late."""

from __future__ import annotations

import importlib.util
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from app import external_recommender as external
from app.recommender import Entity, Example

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "recommender_server.py"
TEXT = "قال الرئيس سامي حداد إن العلاقات مع روسيا جيدة، وزار الوفد لروسيا أمس."


def _example_module():
    spec = importlib.util.spec_from_file_location("recommender_server", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def answering(body: bytes, status: int = 200, delay: float = 0.0) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except BrokenPipeError:  # the client gave up waiting (the time-out test)
                pass

        do_GET = do_POST  # noqa: N815

        def log_message(self, *args) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


def test_the_example_server_learns_from_sent_documents_and_answers_code_point_spans(running):
    url = running(_example_module().serve(port=0))
    assert external.describe_server(url)["protocol"] == external.PROTOCOL
    person, place = TEXT.index("سامي حداد"), TEXT.index("روسيا")
    external.train(url, [(1, "a.txt", Example(TEXT, [(person, person + 9, "PERS"), (place, place + 5, "LOC")]))],
                   ["PERS", "LOC"])
    text = "😀 وأكد سامي حداد أن روسيا مستعدة."  # an emoji first: offsets count code points, not UTF-16 units
    found = external.predict(url, 7, "b.txt", text, ["PERS", "LOC"])
    assert [(text[e.start:e.end], e.label) for e in found.entities] == [("سامي حداد", "PERS"), ("روسيا", "LOC")]
    assert found.problems == [] and all(e.score == 0.9 for e in found.entities)


def test_spans_that_do_not_fit_the_text_or_the_schema_are_left_out_and_reported(running):
    spans = [{"start": 4, "end": 10, "label": "PERS", "score": 0.7}, {"start": 5, "end": 999, "label": "PERS"},
             {"start": 3, "end": 3, "label": "PERS"}, {"start": 0, "end": 3, "label": "WEAPON"},
             {"start": "0", "end": 3, "label": "PERS"}, {"start": 0, "end": 3, "label": "PERS", "score": 7},
             "not a span"]
    url = running(answering(json.dumps({"spans": spans}).encode()))
    found = external.predict(url, 1, "a.txt", TEXT, ["PERS", "LOC"])
    assert found.entities == [Entity(4, 10, "PERS", 0.7)]
    assert len(found.problems) == 6 and "outside the text" in found.problems[0]
    assert "WEAPON" in found.problems[2] and "6 spans from the server left out" in found.summary()


@pytest.mark.parametrize("body, status, expected", [
    (b"<html>oops</html>", 200, "not JSON"),
    (b'{"no": "spans"}', 200, "without a list"),
    (b"[" * 100_000 + b"]" * 100_000, 200, "not JSON"),  # nested too deep: refused, not a crash
    (b'{"error": "model not loaded"}', 503, "503"),
])
def test_bad_answers_are_reported_with_the_servers_address(running, body, status, expected):
    url = running(answering(body, status))
    with pytest.raises(external.ServerError, match=expected) as raised:
        external.predict(url, 1, "a.txt", TEXT, ["PERS"])
    assert url in str(raised.value)


def test_a_slow_or_absent_server_is_reported_not_waited_for(running):
    url = running(answering(b'{"spans": []}', delay=2.0))
    began = time.monotonic()
    with pytest.raises(external.ServerError, match="did not answer within"):
        external.predict(url, 1, "a.txt", TEXT, ["PERS"], timeout=0.3)
    assert time.monotonic() - began < 1.5
    closed = answering(b"")
    port = closed.server_address[1]
    closed.server_close()
    with pytest.raises(external.ServerError, match="could not be reached"):
        external.predict(f"http://127.0.0.1:{port}/", 1, "a.txt", TEXT, ["PERS"])
    with pytest.raises(external.ServerError, match="must start with http"):
        external.predict("file:///etc/passwd", 1, "a.txt", TEXT, ["PERS"])


def test_an_oversized_answer_is_refused(running, monkeypatch):
    monkeypatch.setattr(external, "MAX_ANSWER", 1000)
    url = running(answering(json.dumps({"spans": [], "padding": "x" * 5000}).encode()))
    with pytest.raises(external.ServerError, match="refused"):
        external.predict(url, 1, "a.txt", TEXT, ["PERS"])


def test_a_reply_that_is_not_http_is_reported_with_the_address(running):
    import socketserver

    class NotHttp(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.recv(65536)
            self.request.sendall(b"hello there\r\n\r\n")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), NotHttp)
    url = running(server)
    with pytest.raises(external.ServerError, match="not HTTP") as raised:
        external.predict(url, 1, "a.txt", TEXT, ["PERS"])
    assert url in str(raised.value)
