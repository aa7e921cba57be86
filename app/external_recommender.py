"""A team's own entity model, over HTTP (issue 17; the protocol is docs/recommender-api.md).

Hashiya sends a document's text and receives spans (code-point offsets, label, score); it may also send the
finished documents to train on. Everything a server answers is checked before it is shown: offsets inside
the text and in order, a label of the project's schema, a score between 0 and 1; what does not fit is left
out and reported, never shown as a proposal. Every error names the server and the problem. Plain urllib:
no dependency, a bounded answer, a time-out.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from app.i18n import _, ngettext, number
from app.recommender import Entity, Example

PROTOCOL = 1
TIMEOUT = 10.0  # seconds for a prediction
TRAIN_TIMEOUT = 60.0
MAX_ANSWER = 16 * 1024 * 1024  # bytes read from a server's answer
PROBLEMS_SHOWN = 3


class ServerError(Exception):
    """The server could not be reached, or answered something else than the protocol; says which and why."""


@dataclass
class Prediction:
    entities: list[Entity]
    problems: list[str] = field(default_factory=list)  # spans left out, and why

    def summary(self) -> str:
        if not self.problems:
            return ""
        return ngettext("{n} span from the server left out: {first}", "{n} spans from the server left out: {first}",
                        len(self.problems)).format(n=number(len(self.problems)),
                                                   first="; ".join(self.problems[:PROBLEMS_SHOWN]))


def check_url(url: str) -> str:
    """The URL, or a ServerError saying what is wrong with it (http or https, with a host)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ServerError(_("{url} is not a model server address: it must start with http:// or https:// and "
                            "name a host.").format(url=url))
    return url.strip().rstrip("/") + "/"


def describe_server(url: str, timeout: float = TIMEOUT) -> dict:
    """GET / : the server's name, version and labels (checked for shape)."""
    answer = _exchange(check_url(url), "", None, timeout)
    if not isinstance(answer, dict) or answer.get("protocol") != PROTOCOL:
        raise ServerError(_("{url} does not speak Hashiya's recommender protocol {version} (its answer to GET / "
                            "has no \"protocol\": {version}).").format(url=url, version=PROTOCOL))
    return answer


def predict(url: str, document_id: int, name: str, text: str, labels: Iterable[str],
            timeout: float = TIMEOUT) -> Prediction:
    """POST /predict: the server's spans in `text`, checked against the text and the `labels`."""
    labels = sorted(set(labels))
    answer = _exchange(check_url(url), "predict", {
        "protocol": PROTOCOL, "labels": labels, "document": {"id": document_id, "name": name, "text": text}}, timeout)
    spans = answer.get("spans") if isinstance(answer, dict) else None
    if not isinstance(spans, list):
        raise ServerError(_("{url}predict answered without a list of \"spans\".").format(url=check_url(url)))
    known, found, problems = set(labels), [], []
    for number_, span in enumerate(spans, start=1):
        entity, problem = _checked_span(span, text, known)
        if entity is None:
            problems.append(_("span {n}: {problem}").format(n=number(number_), problem=problem))
        else:
            found.append(entity)
    return Prediction(sorted(found, key=lambda e: (e.start, e.end)), problems)


def train(url: str, examples: list[tuple[int, str, Example]], labels: Iterable[str],
          timeout: float = TRAIN_TIMEOUT) -> None:
    """POST /train: the finished documents (id, name, text and spans) for the server to learn from."""
    _exchange(check_url(url), "train", {
        "protocol": PROTOCOL, "labels": sorted(set(labels)),
        "documents": [{"id": document_id, "name": name, "text": example.text,
                       "spans": [{"start": start, "end": end, "label": label} for start, end, label in example.spans]}
                      for document_id, name, example in examples]}, timeout)


def _checked_span(span, text: str, labels: set[str]) -> tuple[Entity | None, str]:
    if not isinstance(span, dict):
        return None, _("not an object")
    start, end, label, score = span.get("start"), span.get("end"), span.get("label"), span.get("score", 1.0)
    if type(start) is not int or type(end) is not int:
        return None, _("start and end must be whole numbers (code points)")
    if not 0 <= start < end <= len(text):
        return None, _("offsets {start}–{end} are outside the text (0–{length})").format(
            start=start, end=end, length=len(text))
    if not isinstance(label, str) or label not in labels:
        return None, _("label {label} is not in the project's schema").format(label=json.dumps(label, ensure_ascii=False)[:60])
    if type(score) not in (int, float) or not 0 <= score <= 1:
        return None, _("score must be a number from 0 to 1")
    return Entity(start, end, label, float(score)), ""


def _exchange(base: str, path: str, body: dict | None, timeout: float):
    """One request; the decoded JSON answer. ServerError names the address and what went wrong."""
    address = urljoin(base, path)
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(address, data=data, method="GET" if body is None else "POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the analyst's own server
            raw = response.read(MAX_ANSWER + 1)
    except urllib.error.HTTPError as error:
        error.close()  # it holds the connection open
        raise ServerError(_("{url} answered {status} {reason}.").format(
            url=address, status=error.code, reason=error.reason)) from error
    except http.client.HTTPException as error:  # a reply that is not HTTP, a body cut short
        raise ServerError(_("{url} answered something that is not HTTP: {reason}").format(
            url=address, reason=type(error).__name__)) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            raise ServerError(_("{url} did not answer within {seconds} seconds.").format(
                url=address, seconds=number(timeout))) from error
        raise ServerError(_("{url} could not be reached: {reason}").format(url=address, reason=reason)) from error
    if len(raw) > MAX_ANSWER:
        raise ServerError(_("{url} answered more than {size} MB: refused.").format(
            url=address, size=number(MAX_ANSWER // (1024 * 1024))))
    if not raw.strip() and path == "train":
        return {}
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:  # RecursionError: nested too deep
        raise ServerError(_("{url} answered something that is not JSON: {reason}").format(
            url=address, reason=error)) from error
