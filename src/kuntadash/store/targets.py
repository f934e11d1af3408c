"""Where a snapshot may be written, and the marked temporary folders of a write (store layer).

A write replaces the target folder as a whole. So before anything is created, the target must be
a folder we may replace: a missing one (it is created), an empty one, or a snapshot that holds
nothing but snapshot files. Anything else is refused with a sentence saying why: a file, a
device or a pipe, someone's folder, the file system's root, the home folder, a git checkout or
its ``.git``, or the current folder when it is not a snapshot.

A write works in hidden folders beside the target, named ``.tmp-<target>-…``: a *staging* folder
receives the new snapshot, and a *retired* one holds the previous snapshot while a swap finishes.
Each carries a marker file naming the target and the writing process. A leftover is cleaned
only when it carries our marker for this very target, so a user's folder that merely looks like
ours (``.tmp-data-20241231``) is never touched.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kuntadash.store.errors import SnapshotTargetError, write_error

MANIFEST = "manifest.json"
STAGING, RETIRED = "staging", "retired"
MARKERS = {STAGING: ".kuntadash-staging", RETIRED: ".kuntadash-retired"}
_MARKER_MAX_BYTES = 4096

log = logging.getLogger("kuntadash.store")


def report(key: str, detail: str, **params: Any) -> None:
    """Tell the operator what the store did on its own (a recovery): the command line prints it
    translated, the app's log keeps it."""
    log.warning(detail, extra={"kuntadash_key": key, "kuntadash_params": params})


def check_target(target: Path) -> Path:
    """The absolute, resolved ``target`` when a snapshot may be written there; otherwise
    SnapshotTargetError (nothing was created). The sentence never names the path."""
    path = _resolved(target)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return _check_parent(path)
    except NotADirectoryError as exc:
        raise SnapshotTargetError(
            f"{path}: a part of the path is a file", "store.target.parent_not_folder"
        ) from exc
    except OSError as exc:
        raise write_error(exc, f"cannot look at {path}") from exc
    if stat.S_ISREG(mode):
        raise SnapshotTargetError(f"{path} is a file", "store.target.file")
    if not stat.S_ISDIR(mode):
        raise SnapshotTargetError(f"{path} is a device, pipe or socket", "store.target.special")
    return _check_folder(path)


def _resolved(target: Path) -> Path:
    """``target`` resolved, refused when it is a place no snapshot may ever go."""
    given = Path(target).expanduser()
    try:
        path = given.resolve()
    except (OSError, RuntimeError) as exc:
        raise SnapshotTargetError(f"{given}: {exc}", "store.target.unresolvable") from exc
    if path == path.parent:
        raise SnapshotTargetError(f"{path} is the root of the file system", "store.target.root")
    if path == _home():
        raise SnapshotTargetError(f"{path} is the home folder", "store.target.home")
    if ".git" in (part.lower() for part in path.parts):
        raise SnapshotTargetError(f"{path} is inside a .git folder", "store.target.git_internal")
    return path


def _check_folder(path: Path) -> Path:
    """An existing folder: a snapshot holding nothing else, or an empty folder that is not the
    user's current one."""
    try:
        names = os.listdir(path)
    except OSError as exc:
        raise write_error(exc, f"cannot list {path}") from exc
    if ".git" in names:
        raise SnapshotTargetError(f"{path} is a git checkout", "store.target.git_checkout")
    if is_snapshot_folder(path):
        foreign = sorted(name for name in names if not _snapshot_entry(path, name))
        if foreign:
            shown = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
            raise SnapshotTargetError(
                f"{path} holds files that are not part of a snapshot: {shown}",
                "store.target.foreign_files",
                count=len(foreign),
            )
        return path
    if path == _cwd():
        # Even an empty one: the swap would pull the folder away from under the user's shell.
        raise SnapshotTargetError(
            f"{path} is the current folder and not a snapshot", "store.target.cwd"
        )
    if names:
        raise SnapshotTargetError(
            f"{path} is not empty and holds no snapshot ({MANIFEST} is missing)",
            "store.target.not_snapshot",
        )
    return path


def is_snapshot_folder(folder: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(Path(folder) / MANIFEST).st_mode)
    except OSError:
        return False


def _snapshot_entry(folder: Path, name: str) -> bool:
    """A file a snapshot consists of (today's tables, tables of later versions, our markers)."""
    if name not in (MANIFEST, *MARKERS.values()) and not name.endswith(".parquet"):
        return False
    try:
        return stat.S_ISREG(os.lstat(folder / name).st_mode)
    except OSError:
        return False


def _check_parent(path: Path) -> Path:
    try:
        mode = os.stat(path.parent).st_mode
    except FileNotFoundError as exc:
        raise SnapshotTargetError(
            f"{path.parent} does not exist (it is not created: is the path right?)",
            "store.target.no_parent",
        ) from exc
    except NotADirectoryError as exc:
        raise SnapshotTargetError(
            f"{path}: a part of the path is a file", "store.target.parent_not_folder"
        ) from exc
    except OSError as exc:
        raise write_error(exc, f"cannot look at {path.parent}") from exc
    if not stat.S_ISDIR(mode):
        raise SnapshotTargetError(
            f"{path.parent} is not a folder", "store.target.parent_not_folder"
        )
    return path


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError, OSError):
        return None


def _cwd() -> Path | None:
    try:
        return Path.cwd().resolve()
    except OSError:  # the current folder was deleted
        return None


# --- marked temporary folders ------------------------------------------------------------------
def prefix(target: Path) -> str:
    return f".tmp-{target.name}-"


def make_staging(target: Path) -> Path:
    """A new, marked staging folder beside ``target``. Created like any new folder (mode
    0o777 less the umask), not private like mkdtemp's, because it becomes the served folder."""
    for _ in range(100):
        path = target.parent / f"{prefix(target)}{secrets.token_hex(4)}"
        try:
            os.mkdir(path, 0o777)
        except FileExistsError:
            continue
        try:
            write_marker(path, STAGING, target)
        except BaseException:
            # Ours for certain, but unmarked: nobody else would ever remove it.
            (path / MARKERS[STAGING]).unlink(missing_ok=True)
            os.rmdir(path)
            raise
        return path
    raise FileExistsError(f"no free temporary name beside {target}")


def retired_name(target: Path) -> Path:
    return target.parent / f"{prefix(target)}old-{os.getpid()}-{secrets.token_hex(2)}"


def write_marker(folder: Path, kind: str, target: Path) -> None:
    info = {
        "kind": kind,
        "target": target.name,
        "pid": os.getpid(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (folder / MARKERS[kind]).write_text(json.dumps(info) + "\n", encoding="utf-8")


def drop_marker(folder: Path, kind: str) -> None:
    """Remove a marker where it no longer belongs (best effort: a stray marker file inside a
    snapshot is harmless, and the next write replaces the folder anyway)."""
    try:
        (folder / MARKERS[kind]).unlink(missing_ok=True)
    except OSError as exc:
        log.info("could not remove %s: %s", folder / MARKERS[kind], exc)


def read_marker(folder: Path, target: Path) -> dict[str, Any] | None:
    """The marker of one of our temporary folders for ``target``, or None: a folder without a
    valid marker naming this target is not ours, whatever its name."""
    for kind, name in MARKERS.items():
        path = folder / name
        try:
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode) or info.st_size > _MARKER_MAX_BYTES:
                continue
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and (data.get("kind"), data.get("target")) == (kind, target.name):
            return data
    return None


def marked_leftovers(target: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Our temporary folders beside ``target`` (oldest first), each with its marker."""
    found = []
    try:
        entries = sorted(target.parent.iterdir())
    except OSError as exc:
        raise write_error(exc, f"cannot list {target.parent}") from exc
    for path in entries:
        if not path.name.startswith(prefix(target)):
            continue
        try:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                continue
        except OSError:
            continue
        marker = read_marker(path, target)
        if marker is not None:
            found.append((path, marker))
    return sorted(found, key=lambda item: str(item[1].get("created", "")))


def remove_marked(folder: Path) -> bool:
    """Remove one of our temporary folders, its markers last, so that a removal cut short
    leaves a folder still recognisable as ours. False when something could not be removed."""
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name in MARKERS.values())
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        os.rmdir(folder)
    except FileNotFoundError:
        return True
    except OSError as exc:
        log.warning("could not remove the temporary folder %s: %s", folder, exc)
        return False
    return True
