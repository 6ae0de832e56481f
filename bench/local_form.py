"""Load benchmark of the local web form: 300 members submitting within 5 seconds.

The real waitress server over a real LocalForms database (in a temporary
folder) runs in its own process; the members are MemberClient phones on
loopback, each with its own cookie jar and, as on a LAN, its own address
(127.0.0.2, 127.0.0.3 …: the server caps connections per address). Phase 1:
every member opens the link and starts (spread over 5 s); phase 2: every member
submits (spread over 5 s). Prints p50 / p99 latency per phase, errors, and the
responses stored, with where each came from.

Goals: 0 errors, every response stored, submit p99 under 300 ms.

    python bench/local_form.py [--members 300] [--seconds 5] [--threads 8]
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from automation.localforms import LocalForms
from automation.phone import MemberClient, Page
from automation.ports import FormQuestion, FormSpec
from automation.webform import FormServer


def now() -> datetime:
    return datetime.now(UTC)


def sample_spec(members: int) -> FormSpec:
    questions = tuple(
        FormQuestion(
            title=f"Câu hỏi số {n}: Chỉ thị số 22 ban hành ngày nào? ({n})",
            options=("01-6-2022", "13-7-2022", "01-01-2023", "05-3-2023"),
            multi=n == 10,
            points=1,
            correct=("13-7-2022", "01-6-2022") if n == 10 else ("13-7-2022",),
            explanation="Chỉ thị số 22, ngày 13-7-2022.",
        )
        for n in range(1, 11)
    )
    return FormSpec(
        round_id="bench", owner="bench.xlsx", title="Thi trắc nghiệm (benchmark)",
        description="", identity="roster",
        member_names=tuple(f"Đảng viên số {i:03d}" for i in range(members)),
        questions=questions, shuffle_options=True, seconds_allowed=300,
    )


def serve(db: str, threads: int, ready: multiprocessing.Queue, stop: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    """The server process: the same FormServer ``automation run`` uses."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "queue depth" per request
    forms = LocalForms(Path(db), public_url="", clock=now)
    with FormServer(forms, threads=threads) as server:
        ready.put(server.base_url)
        stop.wait()
    forms.close_db()


@dataclass
class Timings:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def measure(self, what: str, call: Callable[[], Page]) -> Page | None:
        began = time.perf_counter()
        try:
            page = call()
        except Exception as exc:  # every failure counts as an error in the report
            with self.lock:
                self.errors.append(f"{what}: {exc!r}")
            return None
        elapsed = time.perf_counter() - began
        with self.lock:
            self.latencies.append(elapsed)
            if page.status != 200:
                self.errors.append(f"{what}: HTTP {page.status} {page.text[:80]}")
        return page


def spread(count: int, seconds: float, action: Callable[[int], None]) -> float:
    """Run ``action(i)`` for each member at a uniformly random moment within ``seconds``."""
    rng = random.Random(7)
    moments = sorted(rng.uniform(0, seconds) for _ in range(count))
    began = time.perf_counter()

    def member(i: int) -> None:
        delay = moments[i] - (time.perf_counter() - began)
        if delay > 0:
            time.sleep(delay)
        action(i)

    workers = [threading.Thread(target=member, args=(i,)) for i in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - began


def report(name: str, timings: Timings, took: float) -> float:
    ms = sorted(1000 * t for t in timings.latencies)
    p50 = statistics.median(ms) if ms else float("nan")
    p99 = ms[min(len(ms) - 1, int(0.99 * len(ms)))] if ms else float("nan")
    print(f"{name:<22} requests {len(ms):4d} in {took:5.2f} s   p50 {p50:6.1f} ms   "
          f"p99 {p99:6.1f} ms   max {ms[-1] if ms else 0:6.1f} ms   errors {len(timings.errors)}")
    for error in timings.errors[:5]:
        print("   ", error)
    return p99


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.forms.sqlite"
        setup = LocalForms(db, public_url="", clock=now)
        spec = sample_spec(args.members)
        form_id = setup.build(spec).form_id
        setup.open(form_id, timedelta(minutes=10))

        context = multiprocessing.get_context("spawn")
        ready = context.Queue()
        stop = context.Event()
        server = context.Process(target=serve, args=(str(db), args.threads, ready, stop))
        server.start()
        try:
            base_url = ready.get(timeout=30)
            url = f"{base_url}/f/{form_id}"
            phones = [MemberClient(base_url, source_address=f"127.0.{2 + i // 250}.{2 + i % 250}")
                      for i in range(len(spec.member_names))]
            opening, submitting = Timings(), Timings()

            def start(i: int) -> None:
                if opening.measure("open", lambda: phones[i].open_form(url)):
                    opening.measure("start", lambda: phones[i].start(spec.member_names[i]))

            def submit(i: int) -> None:
                rng = random.Random(i)
                answers = {q.title: [rng.choice(q.options)] for q in spec.questions}
                submitting.measure(
                    "submit", lambda: phones[i].submit(spec.member_names[i], answers))

            print(f"{args.members} members, {args.seconds:g} s per phase, waitress threads "
                  f"{args.threads}, SQLite WAL synchronous=FULL")
            report("open + start (each)", opening, spread(args.members, args.seconds, start))
            p99 = report("submit", submitting, spread(args.members, args.seconds, submit))
        finally:
            stop.set()
            server.join(timeout=30)
        stored = setup.responses(form_id)
        setup.close_db()
        distinct = len({r.respondent for r in stored})
        phones_seen = len({r.client for r in stored})
        print(f"responses stored: {len(stored)} ({distinct} members, {phones_seen} phones) "
              f"of {args.members}")
        errors = len(opening.errors) + len(submitting.errors)
        met = (errors == 0 and distinct == len(stored) == phones_seen == args.members
               and p99 < 300)
        print("goals met" if met else "GOALS NOT MET (0 errors, all stored, submit p99 < 300 ms)")
        return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
