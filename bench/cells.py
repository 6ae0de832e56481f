"""Load benchmark of many cells on one web-form server: 100 cells, 3 members each.

The real CellServer over one real LocalForms database per cell (in a temporary
folder) runs in its own process, as ``automation run`` would for a committee.
Phase 1: one phone per cell opens its cell's link (the cell's app is made at its
first request). Phase 2: every member of every cell opens the link and starts,
spread over 5 s (each phone from its own loopback address); phase 3: every member
submits, spread over 5 s (as ``local_form.py`` does for one cell). Phase 4: the
committee's home page (every cell's open rounds) is read 50 times. Prints p50 /
p99 latency per phase and errors; then, from the server process, the open file
descriptors (each cell's SQLite file, WAL and shared memory, per server thread
that served it) against the process's limit, and the peak memory.

Goals: 0 errors, every response stored, submit p99 under 300 ms, the home page
p99 under 500 ms, descriptors under half the limit.

    python bench/cells.py [--cells 100] [--members 3] [--threads 8]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import multiprocessing
import os
import random
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from automation.localforms import LocalForms
from automation.phone import MemberClient
from automation.webcells import CellDispatcher, CellServer
from bench.local_form import Timings, now, report, sample_spec, spread


def cell_path(i: int) -> str:
    return f"chi-bo-{i:03d}"


def serve(folder: str, cells: int, threads: int, ready: Any, stop: Any) -> None:
    """The server process: one dispatcher over every cell's store."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    stores = {cell_path(i): LocalForms(Path(folder) / cell_path(i) / "quiz.forms.sqlite",
                                       public_url="", clock=now) for i in range(cells)}
    with CellServer(CellDispatcher(stores), threads=threads) as server:
        ready.put(server.base_url)
        stop.wait()
        ready.put(_process_figures())
    for forms in stores.values():
        forms.close_db()


def _process_figures() -> dict[str, float]:
    figures: dict[str, float] = {}
    with contextlib.suppress(OSError):  # not Linux: no count
        figures["fds"] = len(os.listdir("/proc/self/fd"))
    try:
        import resource

        figures["fd_limit"] = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    except ImportError:
        pass  # Windows
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=100)
    parser.add_argument("--members", type=int, default=3, help="members per cell")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        spec = sample_spec(args.members)
        form_ids = []
        for i in range(args.cells):
            setup = LocalForms(Path(folder) / cell_path(i) / "quiz.forms.sqlite",
                               public_url="", clock=now)
            form_id = setup.build(spec).form_id
            setup.open(form_id, timedelta(minutes=10))
            form_ids.append(form_id)
            setup.close_db()

        context = multiprocessing.get_context("spawn")
        ready = context.Queue()
        stop = context.Event()
        server = context.Process(target=serve,
                                 args=(folder, args.cells, args.threads, ready, stop))
        server.start()
        figures: dict[str, float] = {}
        try:
            base_url = ready.get(timeout=60)
            urls = [f"{base_url}/{cell_path(i)}/f/{form_ids[i]}" for i in range(args.cells)]
            print(f"{args.cells} cells × {args.members} members, waitress threads "
                  f"{args.threads}, one SQLite file per cell")
            first = Timings()
            report("first visit per cell", first, spread(
                args.cells, args.seconds,
                lambda i: bool(first.measure("first", lambda: MemberClient().open_form(urls[i])))))

            count = args.cells * args.members
            phones = [MemberClient(base_url, source_address=f"127.0.{2 + i // 250}.{2 + i % 250}")
                      for i in range(count)]
            opening, submitting = Timings(), Timings()

            def start(i: int) -> None:
                cell, who = divmod(i, args.members)
                if opening.measure("open", lambda: phones[i].open_form(urls[cell])):
                    opening.measure("start", lambda: phones[i].start(spec.member_names[who]))

            def submit(i: int) -> None:
                rng = random.Random(i)
                answers = {q.title: [rng.choice(q.options)] for q in spec.questions}
                name = spec.member_names[i % args.members]
                submitting.measure("submit", lambda: phones[i].submit(name, answers))

            report("open + start (each)", opening, spread(count, args.seconds, start))
            p99_submit = report("submit", submitting, spread(count, args.seconds, submit))

            home = Timings()
            listing = MemberClient(base_url)
            report("committee home page", home,
                   spread(50, args.seconds, lambda i: bool(home.measure(
                       "home", lambda: listing.open_form("/")))))
            p99_home = sorted(home.latencies)[min(len(home.latencies) - 1, 49)] * 1000
        finally:
            stop.set()
            try:
                figures = ready.get(timeout=30)
            finally:
                server.join(timeout=30)

        stored = 0
        for i in range(args.cells):
            check = LocalForms(Path(folder) / cell_path(i) / "quiz.forms.sqlite",
                               public_url="", clock=now)
            stored += len(check.responses(form_ids[i]))
            check.close_db()
        print(f"responses stored: {stored} of {count}")
        fds, limit = figures.get("fds"), figures.get("fd_limit")
        print(f"server process: open descriptors {fds if fds is not None else 'n/a'} "
              f"(limit {limit if limit is not None else 'n/a'}), peak memory "
              f"{figures.get('peak_mb', float('nan')):.0f} MB")
        errors = sum(len(t.errors) for t in (first, opening, submitting, home))
        met = (errors == 0 and stored == count and p99_submit < 300 and p99_home < 500
               and (fds is None or limit is None or fds < limit / 2))
        print("goals met" if met else "GOALS NOT MET (0 errors, all stored, submit p99 < 300 ms, "
              "home p99 < 500 ms, descriptors < half the limit)")
        return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
