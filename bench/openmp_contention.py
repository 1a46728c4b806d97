"""OpenMP under contention: a PyTorch training cell (fashion_mnist's baseline CNN, 150 batches of 64) in
kernels of the fashion_mnist task (Docker, 2 CPUs each), alone and as two kernels side by side on the
machine's 2 cores, with the kernels' OMP_WAIT_POLICY=PASSIVE (now) against OpenMP's default spinning
(before: the cell removes the variable before PyTorch loads), and a short spin (GOMP_SPINCOUNT=10000) for
comparison. Trials alternate, so all see one machine.

Usage: python bench/openmp_contention.py [--trials 3] [--no-write]; rewrites its section of bench/results.md.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from results_file import write_section

from mlgym_nb.kernel import KernelSession
from mlgym_nb.tasks import load_task
from mlgym_nb.workspace import Workspace

CELL = """import os, time
{policy}
import torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(2)
torch.manual_seed(0)
model = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1),
                      nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 7 * 7, 10))
optimizer = torch.optim.Adam(model.parameters())
x, y = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))
start = time.perf_counter()
for _ in range(150):
    loss = F.cross_entropy(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(time.perf_counter() - start, loss.item())
"""
POLICIES = {"passive (now)": "", "spinning (before)": "os.environ.pop('OMP_WAIT_POLICY', None)",
            "spin 10k": "os.environ.pop('OMP_WAIT_POLICY', None); os.environ['GOMP_SPINCOUNT'] = '10000'"}


def train(task, policy: str, tmp: Path) -> tuple[float, float]:
    """Seconds of the training loop in a fresh kernel, and its final loss."""
    ws = Workspace.create(task, Path(tempfile.mkdtemp(dir=tmp)) / "ws")
    try:
        with KernelSession(task, ws.path, sandbox="docker") as session:
            result = session.run(CELL.format(policy=policy), timeout=900)
            assert result.status == "ok", result.text()
            seconds, loss = result.text().split()
            return float(seconds), float(loss)
    finally:
        ws.finish()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    task = load_task("fashion_mnist")
    alone: dict[str, list[float]] = {p: [] for p in POLICIES}
    pair: dict[str, list[float]] = {p: [] for p in POLICIES}
    losses = set()
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(2) as pool:
        for _ in range(args.trials):
            for name, policy in POLICIES.items():
                seconds, loss = train(task, policy, Path(tmp))
                alone[name].append(seconds)
                losses.add(loss)
                for seconds, loss in pool.map(train, [task] * 2, [policy] * 2, [Path(tmp)] * 2):
                    pair[name].append(seconds)
                    losses.add(loss)
    assert len(losses) == 1, f"the policies changed the result: {losses}"  # same threads, same arithmetic
    med = {name: (statistics.median(alone[name]), statistics.median(pair[name])) for name in POLICIES}
    now, before = med["passive (now)"], med["spinning (before)"]
    rows = [f"| {name} | {a:.1f} s | {p:.1f} s | {p / a:.1f}x |" for name, (a, p) in med.items()]
    body = (f"Written by `python bench/openmp_contention.py` ({args.trials} alternating trials) on "
            f"{datetime.date.today()}, 2-core machine. Medians of the training loop's wall time.\n\n"
            "| OpenMP waiting | one kernel alone | each of two kernels side by side | side by side / alone |\n"
            "|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
            f"Side by side, passive waiting is {before[1] / now[1]:.1f}x faster than spinning (two kernels sharing "
            f"two cores should take about 2x alone); alone the two differ by {before[0] / now[0]:.2f}x. "
            "The final loss is the same in every run.")
    print(body)
    if not args.no_write:
        write_section("OpenMP under contention", body)


if __name__ == "__main__":
    main()
