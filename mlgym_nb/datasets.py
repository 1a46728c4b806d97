"""Task data from outside the project: where each task looks for it, whether it is there, fetching it
from its source (Kaggle, the Hugging Face Hub, torchvision, OGB) or from a user's copy, and stand-ins.

A task with a ``data:`` section in task.yaml reads its data folder, ``$MLGYM_DATA/<id>`` (default
``<cache>/datasets/<id>``), in prepare.py. A fetch lands in a temporary folder beside it and replaces it
only when every declared file is there, so a failed or interrupted fetch loses nothing. A stand-in is
synthetic data with the real schema that the task's ``standin.py`` writes for tests; its folder holds
the marker file STAND-IN, and data prepared from it, and every score on it, say so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import DataError, TaskError
from .paths import cache_dir
from .tasks import DataSpec, TaskSpec

STAND_IN = "STAND-IN"
SOURCES = {"kaggle": "Kaggle competition", "huggingface": "Hugging Face dataset", "torchvision": "torchvision dataset",
           "ogb": "OGB dataset"}


def data_root() -> Path:
    """Where task data folders are: ``$MLGYM_DATA``, else ``<cache>/datasets``."""
    return Path(os.environ.get("MLGYM_DATA") or cache_dir() / "datasets")


def data_dir(task: TaskSpec) -> Path:
    return data_root() / task.id


def missing(spec: DataSpec, folder: Path) -> list[str]:
    """The declared files (and folders) that ``folder`` lacks."""
    return [f for f in spec.files if not ((folder / f).is_dir() if f.endswith("/") else (folder / f).is_file())]


def is_stand_in(folder: Path) -> bool:
    return (folder / STAND_IN).is_file()


def describe(spec: DataSpec) -> str:
    """``the Kaggle competition spaceship-titanic``."""
    return f"the {SOURCES[spec.source]} {spec.name}"


def require(task: TaskSpec) -> Path:
    """The task's data folder, or a DataError naming what is missing, where, and the command that fetches it."""
    assert task.data is not None
    folder = data_dir(task)
    gone = missing(task.data, folder)
    if gone:
        terms = f" ({task.data.terms})" if task.data.terms else ""
        raise DataError(f"task {task.id} needs data from {describe(task.data)}, and {folder} lacks "
                        f"{', '.join(gone)}: run `mlgym-nb data fetch {task.id}`{terms}, or "
                        f"`mlgym-nb data fetch {task.id} --from PATH` with a copy you have")
    return folder


@dataclass(frozen=True)
class DataStatus:
    task: TaskSpec
    state: str
    """``shipped`` (built from what the project installs), ``present``, ``stand-in`` or ``missing``."""
    folder: Path | None
    lacks: tuple[str, ...] = ()


def status(task: TaskSpec) -> DataStatus:
    if task.data is None:
        return DataStatus(task, "shipped", None)
    folder = data_dir(task)
    gone = tuple(missing(task.data, folder))
    state = "missing" if gone else "stand-in" if is_stand_in(folder) else "present"
    return DataStatus(task, state, folder, gone)


def fetch(task: TaskSpec, copy: Path | None = None) -> Path:
    """Fill the task's data folder from its source, or from ``copy`` (a folder or an archive); return it."""
    if task.data is None:
        raise DataError(f"task {task.id} has no external data: its prepare script builds it from what the project "
                        "installs")
    folder = data_dir(task)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{task.id}-fetch-", dir=folder.parent))
    try:
        if copy is None:
            FETCHERS[task.data.source](task.data, tmp)
            where = describe(task.data)
        else:
            _copy_in(Path(copy), tmp)
            where = str(copy)
        found = _holding(task.data, tmp)
        if found is None:
            held = ", ".join(sorted(p.name for p in tmp.iterdir())[:12]) or "nothing"
            raise DataError(f"{where} lacks {', '.join(missing(task.data, tmp))} of task {task.id} (it holds {held})")
        old = folder.with_name(f".{task.id}-old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            os.replace(folder, old)
        os.replace(found, folder)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def write_stand_in(task: TaskSpec, folder: Path) -> Path:
    """Write the task's synthetic stand-in data (real schema, random content) into ``folder``, marked as such."""
    assert task.data is not None
    folder.mkdir(parents=True, exist_ok=True)
    script = task.root / task.data.standin
    proc = subprocess.run([sys.executable, str(script), str(folder)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise TaskError(f"{script} failed (exit {proc.returncode}): {proc.stderr.strip()[-1500:]}")
    gone = missing(task.data, folder)
    if gone:
        raise TaskError(f"{script} did not write {', '.join(gone)}, which task.yaml's data.files declares")
    (folder / STAND_IN).write_text(f"Synthetic data with the schema of {describe(task.data)}, written by "
                                   f"{task.data.standin}: scores on it are not real.\n")
    return folder


def _holding(spec: DataSpec, tmp: Path) -> Path | None:
    """The folder in ``tmp`` with every declared file: itself, or the one folder an archive unpacked to."""
    if not missing(spec, tmp):
        return tmp
    entries = list(tmp.iterdir())
    if len(entries) == 1 and entries[0].is_dir() and not missing(spec, entries[0]):
        return entries[0]
    return None


def _copy_in(copy: Path, into: Path) -> None:
    if copy.is_dir():
        shutil.copytree(copy, into, dirs_exist_ok=True)
    elif copy.is_file():
        try:
            # tar members that leave the folder, links out of it and device files are refused ("data" filter);
            # shutil's zip unpacking already skips names with .. or a leading /.
            shutil.unpack_archive(copy, into, **({} if zipfile.is_zipfile(copy) else {"filter": "data"}))
        except (shutil.ReadError, ValueError, OSError, tarfile.TarError) as exc:
            raise DataError(f"cannot unpack {copy} ({exc}): give a folder, or a .zip or .tar(.gz/.bz2/.xz) "
                            "archive") from None
    else:
        raise DataError(f"{copy} does not exist: give the folder or the archive that holds the task's data")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


def _unreachable(spec: DataSpec, exc: BaseException) -> DataError:
    return DataError(f"could not fetch {describe(spec)} ({_first_line(exc)}): on a machine that reaches it, fetch "
                     "there and copy the folder here with --from PATH")


def _kaggle(spec: DataSpec, into: Path) -> None:
    # Importing the kaggle package authenticates at once, and raises without credentials.
    try:
        from kaggle.api.kaggle_api_extended import KaggleApi
    except ImportError:
        raise DataError("fetching from Kaggle needs the kaggle package: `pip install kaggle`, and your API token "
                        "in ~/.kaggle/kaggle.json") from None
    except Exception as exc:  # noqa: BLE001 - whatever the package raises about missing credentials
        raise DataError(f"the kaggle package could not authenticate ({_first_line(exc)}): put your API token in "
                        "~/.kaggle/kaggle.json (kaggle.com, Settings, API)") from None
    try:
        api = KaggleApi()
        api.authenticate()
        api.competition_download_files(spec.name, path=str(into), quiet=True)
    except Exception as exc:  # noqa: BLE001 - HTTP, rules not accepted, no network
        raise _unreachable(spec, exc) from None
    for archive in into.glob("*.zip"):
        shutil.unpack_archive(archive, into)
        archive.unlink()


def _huggingface(spec: DataSpec, into: Path) -> None:
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise DataError("fetching from the Hugging Face Hub needs huggingface_hub: "
                        "`pip install huggingface_hub`") from None
    try:
        snapshot_download(repo_id=spec.name, repo_type="dataset", local_dir=into,
                          allow_patterns=spec.allow_patterns or None)
    except Exception as exc:  # noqa: BLE001 - HTTP, offline mode, an unknown repository
        raise _unreachable(spec, exc) from None
    shutil.rmtree(into / ".cache", ignore_errors=True)  # the hub's download bookkeeping


def _torchvision(spec: DataSpec, into: Path) -> None:
    try:
        import torchvision.datasets
    except ImportError:
        raise DataError("fetching a torchvision dataset needs torchvision: `pip install torchvision`") from None
    dataset = getattr(torchvision.datasets, spec.name)
    try:
        for train in (True, False):
            dataset(root=str(into), train=train, download=True)
    except Exception as exc:  # noqa: BLE001 - HTTP, checksum
        raise _unreachable(spec, exc) from None


def _ogb(spec: DataSpec, into: Path) -> None:
    try:
        from ogb.nodeproppred import NodePropPredDataset
    except ImportError:
        raise DataError("fetching an OGB dataset needs ogb: `pip install ogb`") from None
    try:
        NodePropPredDataset(name=spec.name, root=str(into))
    except Exception as exc:  # noqa: BLE001 - HTTP
        raise _unreachable(spec, exc) from None


FETCHERS: dict[str, Callable[[DataSpec, Path], None]] = {
    "kaggle": _kaggle, "huggingface": _huggingface, "torchvision": _torchvision, "ogb": _ogb}
