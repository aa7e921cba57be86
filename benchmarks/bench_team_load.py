"""Load test of team mode (issue 18): N simulated analysts editing one server project at once.

Each analyst is a process of its own, logged in as their own database role (row-level security on, as in a
team), working as a quick analyst does: every 0.3–1.5 s one edit through Hashiya's own project API (the call
the window makes for a key press, which returns once the edit is committed): add a span (most often),
change a label, delete one, mark a document's status. It prints the time from the call to the committed
edit (p50, p95, p99, max), the edits made, and checks at the end that no edit was lost or doubled (each
analyst's spans on the server are exactly those they made and kept), that no edit failed (deadlock, lock
wait, refusal), and that no session is left behind on the server (pg_stat_activity).

    .venv/bin/python benchmarks/bench_team_load.py [--analysts 20] [--seconds 300] [--url postgresql://owner@host/db]

Without --url it starts a throwaway server (tests/postgres.py, as the tests do: run as root it needs the
user scripts/ensure-test-postgres makes). Target (issue 18): p95 ≤ 50 ms on localhost.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app import packagedata, team  # noqa: E402
from app.importer import import_paths  # noqa: E402
from app.project import Project, Span  # noqa: E402

LABELS = ("PERS", "LOC", "ORG", "GPE")


def analyst_name(number: int) -> str:
    return f"محلل_{number:02d}"


def prepare(owner_url: str, analysts: int, copies: int) -> list[int]:
    """The team project: the demo articles `copies` times over (as different documents), one role each."""
    team.init(owner_url)
    for number in range(analysts):
        team.add_member(owner_url, analyst_name(number))
    project = Project.open(owner_url)
    try:
        articles = packagedata.demo_articles()
        with_text = [(path, path.read_text(encoding="utf-8")) for path in articles]
        folder = Path(__import__("tempfile").mkdtemp(prefix="hashiya-load-"))
        for copy in range(copies):
            for path, body in with_text:
                (folder / f"{copy:03d}_{path.name}").write_text(f"{body}\n({copy})", encoding="utf-8")
        import_paths(project, sorted(folder.iterdir()), annotator=analyst_name(0))
        return project.document_ids()
    finally:
        project.close()


def work(login_url: str, name: str, document_ids: list[int], deadline: float, seed: int, results) -> None:
    """One analyst's session: edits until `deadline`; puts (name, latencies, counts, errors, kept uids)."""
    rng = random.Random(seed)
    project = Project.open(login_url)
    lengths = {document: len(project.document_text(document)) for document in document_ids}
    mine: dict[str, Span] = {}
    latencies: list[float] = []
    counts = {"add": 0, "relabel": 0, "delete": 0, "status": 0}
    errors: list[str] = []
    try:
        while time.monotonic() < deadline:
            time.sleep(rng.uniform(0.3, 1.5))  # reading, choosing the next name
            document = rng.choice(document_ids)
            roll = rng.random()
            action = ("add" if roll < 0.6 or not mine else "relabel" if roll < 0.75
                      else "delete" if roll < 0.9 else "status")
            start = time.perf_counter()
            try:
                if action == "add":
                    begin = rng.randrange(0, lengths[document] - 12)
                    span = project.add_annotation(Span(document, name, "entity", rng.choice(LABELS), begin,
                                                       begin + rng.randint(3, 12)))
                    mine[span.uid] = span
                elif action == "relabel":
                    span = mine[rng.choice(list(mine))]
                    mine[span.uid] = project.update_annotation(span, label=rng.choice(LABELS))
                elif action == "delete":
                    uid = rng.choice(list(mine))
                    project.delete_annotations([uid])
                    del mine[uid]
                else:
                    project.set_status(document, name, rng.choice(("in_progress", "done")))
            except Exception as error:  # counted and reported: the run must have none
                errors.append(f"{action}: {type(error).__name__}: {str(error).splitlines()[0][:200]}")
                continue
            latencies.append((time.perf_counter() - start) * 1000)
            counts[action] += 1
    finally:
        project.close()
    results.put((name, latencies, counts, errors, sorted(mine)))


def stored_uids(owner_url: str) -> dict[str, list[str]]:
    engine = create_engine(owner_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT n.name, a.uid FROM annotations a JOIN annotators n ON n.id = a.annotator_id "
                "ORDER BY a.uid")).all()
    finally:
        engine.dispose()
    found: dict[str, list[str]] = {}
    for name, uid in rows:
        found.setdefault(name, []).append(uid)
    return found


def sessions_left(owner_url: str) -> list[tuple]:
    """Sessions on the project's database other than the one asking: none once every analyst has left."""
    engine = create_engine(owner_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT usename, application_name, state FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")).all()
    finally:
        engine.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--analysts", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--copies", type=int, default=40, help="times the demo corpus is imported (documents)")
    parser.add_argument("--url", help="an empty database, as its owner (default: a throwaway local server)")
    args = parser.parse_args()

    server = None
    if args.url is None:
        from tests.postgres import TestServer

        server = TestServer()
        owner_url = server.url(server.create_database())
    else:
        owner_url = str(make_url(args.url).set(drivername="postgresql+psycopg"))
    try:
        document_ids = prepare(owner_url, args.analysts, args.copies)
        print(f"{len(document_ids)} documents, {args.analysts} analysts, {args.seconds:.0f} s")
        deadline = time.monotonic() + args.seconds
        results = multiprocessing.Queue()
        workers = [multiprocessing.Process(target=work, args=(
            make_url(owner_url).set(username=analyst_name(number)).render_as_string(hide_password=False),
            analyst_name(number), document_ids, deadline, number, results)) for number in range(args.analysts)]
        for worker in workers:
            worker.start()
        reports = [results.get(timeout=args.seconds + 120) for _ in workers]
        for worker in workers:
            worker.join(30)
        latencies = [value for report in reports for value in report[1]]
        errors = [error for report in reports for error in report[3]]
        totals = {key: sum(report[2][key] for report in reports) for key in reports[0][2]}
        stored = stored_uids(owner_url)
        lost = {name: (len(kept), len(stored.get(name, []))) for name, _lat, _counts, _err, kept in reports
                if kept != stored.get(name, [])}
        left = sessions_left(owner_url)
        print(f"edits committed: {len(latencies)} ({', '.join(f'{key} {value}' for key, value in totals.items())}); "
              f"{len(latencies) / args.seconds:.1f} per second")
        print(f"key press to committed edit, ms: p50 {statistics.median(latencies):.1f}, "
              f"p95 {percentile(latencies, 0.95):.1f}, p99 {percentile(latencies, 0.99):.1f}, "
              f"max {max(latencies):.1f}")
        print(f"failed edits (deadlocks, lock waits, refusals): {len(errors)}" + (f" — {errors[:5]}" if errors else ""))
        print(f"analysts whose stored spans differ from what they made: {len(lost)}" + (f" — {lost}" if lost else ""))
        print(f"sessions left on the server: {len(left)}" + (f" — {left}" if left else ""))
        good = not errors and not lost and not left
        print("target p95 <= 50 ms:", "met" if percentile(latencies, 0.95) <= 50 else "NOT met")
        return 0 if good else 1
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
