"""Start-up time of the `mlgym-nb` command: `mlgym-nb --help` and `mlgym-nb tasks` as fresh processes, against
the same commands with rfc3987_syntax imported first (what every command paid before mlgym_nb marked it
absent: jsonschema, under nbformat, imported it and it compiled its parsers). Trials alternate, so both
see the same machine.

Usage: python bench/cli_startup.py [--trials 10] [--no-write]; rewrites its section of bench/results.md.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import subprocess
import sys
import time

from results_file import write_section

COMMANDS = {"`mlgym-nb --help`": ["--help"], "`mlgym-nb tasks`": ["tasks"]}
# The baseline imports rfc3987_syntax before mlgym_nb, so mlgym_nb's setdefault finds it already loaded.
BEFORE = "import sys, rfc3987_syntax; from mlgym_nb.cli import main; sys.argv[0] = 'mlgym-nb'; sys.exit(main(%r))"


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    rows = []
    for name, command in COMMANDS.items():
        now, before = [], []
        for _ in range(args.trials):
            now.append(timed([sys.executable, "-m", "mlgym_nb.cli", *command]))
            before.append(timed([sys.executable, "-c", BEFORE % (command,)]))
        now_s, before_s = statistics.median(now), statistics.median(before)
        rows.append(f"| {name} | {now_s:.2f} s | {before_s:.2f} s | {before_s / now_s:.1f}x faster |")
    body = (f"Written by `python bench/cli_startup.py` ({args.trials} alternating trials per command) on "
            f"{datetime.date.today()}, 2-core machine. Medians of fresh processes.\n\n"
            "| command | now | with rfc3987_syntax imported (before) | ratio |\n|---|---|---|---|\n"
            + "\n".join(rows) + "\n\n"
            "jsonschema imports rfc3987_syntax when it is installed (jupyter-events' extras pull it in), and its\n"
            "import compiles about 35 Earley parsers for two format checkers no Jupyter schema uses. The tests\n"
            "start the CLI as a process many times, so this also shortens CI.")
    print(body)
    if not args.no_write:
        write_section("CLI start-up", body)


if __name__ == "__main__":
    main()
