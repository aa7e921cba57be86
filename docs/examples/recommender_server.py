"""An example model server for Hashiya's entity suggestions (docs/recommender-api.md), standard library only.

    python docs/examples/recommender_server.py [--host 127.0.0.1] [--port 8765]

Then in Hashiya: Span → Entity assistant… → Model server: http://127.0.0.1:8765/ .

The model here is deliberately simple — it learns the names of the documents Hashiya sends to /train and
finds them again — so the protocol is what it shows. To serve a real model, replace `Model`:

* Hugging Face (`pip install transformers torch`): offsets of the "simple" aggregation are Python string
  offsets, i.e. code points, as the protocol wants; map the model's labels to the project's::

      from transformers import pipeline
      ner = pipeline("token-classification", model="CAMeL-Lab/bert-base-arabic-camelbert-msa-ner",
                     aggregation_strategy="simple")
      def predict(self, text, labels):
          return [{"start": e["start"], "end": e["end"], "label": LABELS.get(e["entity_group"], e["entity_group"]),
                   "score": float(e["score"])} for e in ner(text) if LABELS.get(e["entity_group"]) in labels]

* CAMeL Tools (`pip install camel-tools`, then `camel_data -i ner`): `NERecognizer.pretrained().predict_sentence(
  tokens)` labels tokens B-/I-; find each token's start in the text as you split it, and join B-/I- runs.

Neither is a dependency of Hashiya: the server is the team's, and so are its weights.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PROTOCOL = 1
MAX_REQUEST = 64 * 1024 * 1024


class Model:
    """Names learnt from /train, found again as whole words (longest first)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.lock = threading.Lock()

    def train(self, documents: list[dict]) -> None:
        with self.lock:
            for document in documents:
                for span in document.get("spans", []):
                    name = document["text"][span["start"]:span["end"]].strip()
                    if name:
                        self.names[name] = span["label"]

    def predict(self, text: str, labels: list[str]) -> list[dict]:
        with self.lock:
            names = sorted(self.names.items(), key=lambda item: -len(item[0]))
        taken, spans = [], []
        for name, label in names:
            if label not in labels:
                continue
            for match in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text):
                if not any(a < match.end() and match.start() < b for a, b in taken):
                    taken.append(match.span())
                    spans.append({"start": match.start(), "end": match.end(), "label": label, "score": 0.9})
        return sorted(spans, key=lambda span: span["start"])


def handler_for(model: Model) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if self.path.rstrip("/") == "":
                return self._answer(200, {"protocol": PROTOCOL, "name": "Hashiya example (names from /train)",
                                          "labels": sorted(set(model.names.values()))})
            self._answer(404, {"error": f"no such path: {self.path}"})

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_REQUEST:
                return self._answer(413, {"error": "request too large"})
            try:
                body = json.loads(self.rfile.read(length).decode("utf-8"))
            except ValueError as error:
                return self._answer(400, {"error": f"not JSON: {error}"})
            if self.path.rstrip("/") == "/predict":
                document = body["document"]
                return self._answer(200, {"spans": model.predict(document["text"], body.get("labels", []))})
            if self.path.rstrip("/") == "/train":
                model.train(body.get("documents", []))
                return self._answer(200, {"documents": len(body.get("documents", []))})
            self._answer(404, {"error": f"no such path: {self.path}"})

        def _answer(self, status: int, body: dict) -> None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's signature
            pass  # quiet: Hashiya's requests carry the analysts' documents

    return Handler


def serve(host: str = "127.0.0.1", port: int = 8765) -> ThreadingHTTPServer:
    """A server, not yet serving (call serve_forever); port 0 picks a free one."""
    return ThreadingHTTPServer((host, port), handler_for(Model()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    arguments = parser.parse_args()
    server = serve(arguments.host, arguments.port)
    print(f"serving on http://{arguments.host}:{server.server_address[1]}/")
    server.serve_forever()


if __name__ == "__main__":
    main()
