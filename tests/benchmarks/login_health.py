"""Benchmark: ``/health`` while 6 clients log in continuously (argon2 must not stall the event loop).

    .venv/bin/python tests/benchmarks/login_health.py [--clients 6] [--seconds 20]

Creates 6 accounts with ``greenballot user add``, starts ``greenballot serve --workers 1``, samples ``/health``
every 10 ms from its own process, idle and then while each client logs in again and again with its right password
(wrong passwords would meet the throttle after a few tries), and prints the p50/p99 of ``/health`` in both phases
and the logins per second (target: p99 under 50 ms under the logins). Uses its own database on TEST_DATABASE_URL
(default postgresql://postgres@127.0.0.1:5432/test), dropped at the end.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.serving import greenballot, percentile, served, temp_database  # noqa: E402

__all__ = ["main"]

PASSWORD = "benchmark-password-2026"


def _sample_health(url: str, seconds: float, out: Any) -> None:
    import httpx

    samples: list[float] = []
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=60) as http:
        while time.monotonic() < deadline:
            start = time.perf_counter()
            assert http.get("/health").status_code == 200
            samples.append(time.perf_counter() - start)
            time.sleep(0.01)
    out.put(samples)


def _log_in(url: str, email: str, seconds: float, out: Any) -> None:
    import httpx

    done = 0
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=60) as http:
        while time.monotonic() < deadline:
            answer = http.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
            assert answer.status_code == 200, answer.text
            done += 1
    out.put(done)


def _phase(url: str, emails: list[str], seconds: float) -> tuple[list[float], int]:
    out: Any = multiprocessing.Queue()
    logins: Any = multiprocessing.Queue()
    sampler = multiprocessing.Process(target=_sample_health, args=(url, seconds, out))
    clients = [multiprocessing.Process(target=_log_in, args=(url, email, seconds, logins)) for email in emails]
    for process in [sampler, *clients]:
        process.start()
    samples = out.get()
    total = sum(logins.get() for _ in clients)
    for process in [sampler, *clients]:
        process.join()
    return samples, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    with temp_database("gb_login_bench") as env:
        greenballot(env, "db", "upgrade")
        emails = [f"bench-{n}@example.org" for n in range(args.clients)]
        for email in emails:
            import subprocess

            from tests.benchmarks.serving import GREENBALLOT

            subprocess.run([GREENBALLOT, "user", "add", email, "--role", "citizen", "--password-stdin"], env=env,
                           input=PASSWORD, text=True, check=True, capture_output=True)
        with served(env) as (url, _pid):
            idle, _ = _phase(url, [], min(args.seconds, 5))
            loaded, logins = _phase(url, emails, args.seconds)
    ms = 1000
    print(f"/health idle: p50 {percentile(idle, 0.5) * ms:.1f} ms, p99 {percentile(idle, 0.99) * ms:.1f} ms "
          f"({len(idle)} samples)")
    print(f"/health while {args.clients} clients log in: p50 {percentile(loaded, 0.5) * ms:.1f} ms, "
          f"p99 {percentile(loaded, 0.99) * ms:.1f} ms ({len(loaded)} samples); "
          f"{logins / args.seconds:.1f} logins/s")
    print(f"target p99 < 50 ms: {'met' if percentile(loaded, 0.99) * ms < 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
