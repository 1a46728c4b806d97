"""gymnasium ids ``mlgym/<task>`` for every task found, so ``gymnasium.make("mlgym/house_price")`` works.

Registered when mlgym_nb is imported (gymnasium's convention), or with
``gymnasium.make("mlgym_nb:mlgym/<task>")``, which imports it. Only folder names are read here:
a broken task.yaml is reported when that task is made, not at import.
"""

from __future__ import annotations

import gymnasium

from .paths import task_dirs

NAMESPACE = "mlgym"


def register_envs() -> list[str]:
    """Register (again) every task folder's id; returns the gymnasium ids."""
    ids = sorted({p.parent.name for d in task_dirs() if d.is_dir() for p in d.glob("*/task.yaml")})
    registered = []
    for task_id in ids:
        env_id = f"{NAMESPACE}/{task_id}"
        if env_id not in gymnasium.registry:
            gymnasium.register(env_id, entry_point="mlgym_nb.env:NotebookEnv", kwargs={"task": task_id})
        registered.append(env_id)
    return registered
