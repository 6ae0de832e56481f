"""`python -m tests.fakegoogle --port N [--state FILE]`: run the fake until interrupted."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from .fake import FakeGoogle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakegoogle", description=__doc__)
    parser.add_argument(
        "--port", type=int, default=8099, help="TCP port on 127.0.0.1 (0: any free)"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--state", type=Path, help="keep state in this JSON file across restarts")
    args = parser.parse_args(argv)
    fake = FakeGoogle.start(args.state, args.host, args.port)
    print(f"fake Google listening on {fake.url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
