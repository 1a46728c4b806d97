"""Kernel images, built offline: a Debian base from debootstrap, then one image per family.

No container registry is reachable, so the base root filesystem comes from Debian's package
mirror (the one the host's apt uses) and is imported with ``docker import``; each family image
installs wheels that pip downloaded on the host. Builds are skipped when the image's
``mlgym.build-hash`` label matches the hash of its inputs.

A family whose requirements include another family's (``-r ../base/requirements.txt``) extends it:
its image is built FROM the parent's image by the family's own Dockerfile, which adds only the
packages the parent lacks, as one layer, so that images share the parent's layers on disk. Its
bubblewrap venv installs the whole list (pip follows the ``-r`` line).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import docker
import docker.errors

from ..errors import DockerUnavailableError, ImageMissingError, SandboxError
from ..paths import KERNELS_DIR, cache_dir, family_requirements, require_project

BASE_TAG = "mlgym-nb/base-os:bookworm"
#: IPython extension every kernel loads (``%validate`` / ``%submit`` outside the harness).
KERNEL_EXT = KERNELS_DIR / "mlgym_kernel_ext.py"
DOCS_INDEXER = KERNELS_DIR / "build_docs_index.py"
"""Builds the documentation index `%docs` searches, with the image's own Python, at build time."""
HASH_LABEL = "mlgym.build-hash"
"""The hash of everything an image was built from, the base image's id included: rebuild when it changes."""
RECIPE_LABEL = "mlgym.recipe-hash"
"""The hash of the recipe alone (Dockerfile, requirements, extension, Debian suite): equal on every machine
that builds the same version, whereas base image ids differ between machines."""
DEBIAN_SUITE = "bookworm"
BASE_PACKAGES = "python3,python3-venv,ca-certificates"
#: Wheel platforms the image's Python accepts: manylinux2014 up to bookworm's glibc 2.36 (jaxlib is 2_27-only).
PLATFORMS = ["manylinux2014_x86_64"] + [f"manylinux_2_{minor}_x86_64" for minor in range(17, 37)]
_EXTENDS = re.compile(r"^-r\s+\.\./([a-z0-9_-]+)/requirements\.txt\s*$", re.M)


def image_tag(family: str) -> str:
    """The Docker tag of a kernel family's image."""
    return f"mlgym-nb/kernel-{family}:latest"


def families() -> list[str]:
    """Kernel families defined under kernels/families/."""
    require_project("building kernel images")
    return sorted(p.name for p in (KERNELS_DIR / "families").iterdir() if (p / "requirements.txt").exists())


def parent_family(family: str) -> str | None:
    """The family a family extends (its requirements hold ``-r ../<parent>/requirements.txt``), or None."""
    match = _EXTENDS.search(family_requirements(family).read_text())
    return match.group(1) if match else None


def dockerfile(family: str) -> Path:
    """The Dockerfile of a family: its own for a family that extends another, else kernels/Dockerfile."""
    if parent_family(family) is None:
        return KERNELS_DIR / "Dockerfile"
    own = family_requirements(family).parent / "Dockerfile"
    if not own.exists():
        raise SandboxError(f"kernel family {family!r} extends {parent_family(family)!r} but has no {own}: "
                           "a family built on another's image needs its own Dockerfile (FROM ${PARENT})")
    return own


def docker_client() -> docker.DockerClient:
    """A client for the local Docker daemon, or a clear error naming the fix."""
    try:
        client = docker.from_env(timeout=120)
        client.ping()
    except (docker.errors.DockerException, OSError) as exc:
        raise DockerUnavailableError(
            f"no Docker daemon answers ({exc}). Start one with `sudo bash kernels/setup-host.sh`, "
            "or use the local sandbox: --sandbox local"
        ) from None
    return client


_logger = logging.getLogger(__name__)


def _log(msg: str) -> None:
    _logger.info("[images] %s", msg)


def _debian_mirror() -> str:
    """The Debian mirror the host's apt is configured with."""
    for path in [*Path("/etc/apt/sources.list.d").glob("*.sources"), Path("/etc/apt/sources.list")]:
        if not path.exists():
            continue
        text = path.read_text()
        match = re.search(r"^URIs:\s*(\S+)", text, re.M) or re.search(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s", text, re.M)
        if match and "security" not in match.group(1):
            return match.group(1)
    raise SandboxError("no Debian mirror found in /etc/apt; the base image is built with debootstrap from it")


def _labels(client: docker.DockerClient, tag: str) -> dict[str, str] | None:
    try:
        return client.images.get(tag).labels or {}
    except docker.errors.ImageNotFound:
        return None


def build_base(force: bool = False) -> str:
    """Build the Debian base image with debootstrap + docker import; returns its image id."""
    client = docker_client()
    if not force and _labels(client, BASE_TAG) is not None:
        return client.images.get(BASE_TAG).id
    if shutil.which("debootstrap") is None:
        raise SandboxError("debootstrap is not installed; run `sudo bash kernels/setup-host.sh`")
    mirror = _debian_mirror()
    _log(f"building {BASE_TAG} with debootstrap ({DEBIAN_SUITE}, about 1-2 min)")
    with tempfile.TemporaryDirectory(dir="/var/tmp", prefix="mlgym-rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        subprocess.run(["debootstrap", "--variant=minbase", f"--include={BASE_PACKAGES}",
                        DEBIAN_SUITE, str(rootfs), mirror], check=True, stdout=subprocess.DEVNULL)
        for junk in ["var/cache/apt/archives", "var/lib/apt/lists"]:
            for item in (rootfs / junk).glob("*"):
                if item.is_file():
                    item.unlink()
        tar = subprocess.Popen(["tar", "--numeric-owner", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        subprocess.run(["docker", "import", "-c", "ENV LANG=C.UTF-8", "-c", 'CMD ["/bin/bash"]', "-",
                        BASE_TAG], stdin=tar.stdout, check=True, stdout=subprocess.DEVNULL)
        if tar.wait() != 0:
            raise SandboxError("tar of the debootstrap root filesystem failed")
    return client.images.get(BASE_TAG).id


def recipe_hash(family: str) -> str:
    """What a family's image is built from, as a short hash (the same on every machine); a family
    that extends another includes its parent's recipe."""
    digest = hashlib.sha256(f"{DEBIAN_SUITE}:{BASE_PACKAGES}".encode())
    parent = parent_family(family)
    if parent is not None:
        digest.update(f"extends {parent}:{recipe_hash(parent)}".encode())
    for path in [dockerfile(family), family_requirements(family), KERNEL_EXT, DOCS_INDEXER]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def image_recipe(family: str) -> str | None:
    """The recipe hash of this machine's image of a family (None when it is not built)."""
    return (_labels(docker_client(), image_tag(family)) or {}).get(RECIPE_LABEL)


def _build_hash(base_id: str, family: str) -> str:
    return hashlib.sha256(f"{base_id}:{recipe_hash(family)}".encode()).hexdigest()[:16]


def is_current(family: str) -> bool:
    """Whether the family's image exists and was built from the current inputs (its parent's too)."""
    client = docker_client()
    parent = parent_family(family)
    under = BASE_TAG if parent is None else image_tag(parent)
    labels = _labels(client, image_tag(family))
    if labels is None or _labels(client, under) is None or (parent is not None and not is_current(parent)):
        return False
    return labels.get(HASH_LABEL) == _build_hash(client.images.get(under).id, family)


def _context_requirements(family: str) -> str:
    """The requirements the image build installs: a family that extends another drops the parent's line
    (the parent's image has those packages)."""
    return _EXTENDS.sub("", family_requirements(family).read_text())


def build_family(family: str = "base", force: bool = False) -> str:
    """Build (or keep) a family's kernel image, and its bubblewrap venv where bwrap exists; returns the tag.

    Idempotent: each is rebuilt only when its inputs changed. Without a Docker daemon only the
    venv is built (and the image is reported as skipped).
    """
    from .local import local_venv_current

    require_project("building kernel images")
    requirements = family_requirements(family)
    if not requirements.exists():
        raise SandboxError(f"unknown kernel family {family!r}; families: {', '.join(families())}")
    tag = image_tag(family)
    parent = parent_family(family)
    try:
        client = docker_client()
    except DockerUnavailableError as exc:
        client = None
        _log(f"skipping the image {tag}: {exc}")
    if parent is not None:
        build_family(parent, force=False)  # the parent first; a forced build rebuilds this family only
    under = BASE_TAG if parent is None else image_tag(parent)
    build_hash = "" if client is None else _build_hash(
        build_base() if parent is None else client.images.get(under).id, family)
    need_image = client is not None and (force or (_labels(client, tag) or {}).get(HASH_LABEL) != build_hash)
    need_venv = shutil.which("bwrap") is not None and (force or not local_venv_current(family))
    if not (need_image or need_venv):
        _log(f"{family}: up to date")
        return tag
    wheels = cache_dir() / "wheels" / family
    wheels.mkdir(parents=True, exist_ok=True)
    _log(f"downloading wheels for {family} into {wheels}")
    # The image's Python is Debian's 3.11; pin the target so the host's Python does not matter.
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--python-version", "3.11",
                    "--only-binary=:all:", *[a for p in PLATFORMS for a in ("--platform", p)],
                    "-d", str(wheels), "-r", str(requirements)], check=True)
    if need_venv:
        from .local import build_local_venv

        _log(f"building the local (bubblewrap) venv for {family}")
        build_local_venv(family, wheels)
    if need_image:
        with tempfile.TemporaryDirectory(prefix="mlgym-ctx-") as ctx:
            shutil.copytree(wheels, Path(ctx) / "wheels")
            (Path(ctx) / "requirements.txt").write_text(_context_requirements(family))
            shutil.copy(dockerfile(family), Path(ctx) / "Dockerfile")
            shutil.copy(KERNEL_EXT, Path(ctx) / KERNEL_EXT.name)
            shutil.copy(DOCS_INDEXER, Path(ctx) / DOCS_INDEXER.name)
            _log(f"building {tag}" + (f" on {under}" if parent else ""))
            arg = f"BASE={BASE_TAG}" if parent is None else f"PARENT={under}"
            subprocess.run(["docker", "build", "-q", "--build-arg", arg, "--label",
                            f"{HASH_LABEL}={build_hash}", "--label", f"{RECIPE_LABEL}={recipe_hash(family)}",
                            "--label", f"mlgym.family={family}", "-t", tag, ctx],
                           check=True, stdout=subprocess.DEVNULL, env={**os.environ, "DOCKER_BUILDKIT": "0"})
    return tag


def require_image(family: str) -> str:
    """The tag of a built family image, or ImageMissingError naming the build command."""
    tag = image_tag(family)
    if _labels(docker_client(), tag) is None:
        raise ImageMissingError(f"kernel image {tag} is not built; run `mlgym-nb images build {family}`")
    return tag
