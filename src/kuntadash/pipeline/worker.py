"""Imports in a child process with a time and memory budget (pipeline entry of the Data page).

An import reads files someone uploaded, and a few kilobytes can ask for gigabytes and minutes: a
compressed spreadsheet that inflates a thousandfold, a YAML file of nested aliases. So the Data
page never imports in the server process. ``start_import`` runs ``python -m
kuntadash.pipeline.worker REQUEST`` on files in a private temporary folder, in a process group
of its own, and the child is bounded three ways:

- memory: the child limits its own address space (RLIMIT_AS) before it loads anything big, so an
  allocation beyond the budget fails there and is reported as such;
- time: ``ImportJob.wait`` stops the child when the wall-clock budget runs out; the child's own
  alarm and CPU-time limit end it a little later should the parent be gone;
- cores: numeric libraries get one thread, so an import keeps at most one core busy.

Stopping a job kills its whole process group. The snapshot's lock is an flock held by the child,
so the kernel releases it with the process, and the store's atomic write means a killed import
leaves the served snapshot as it was. The UI stops a job also when the visitor's session ends
(kuntadash.ui.admin). One import runs at a time per server process; another is refused as busy.

No streamlit here. The child reports through a JSON file; its messages keep their keys and
parameters, so the page shows them in the reader's language.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import math
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kuntadash.errors import Message, message
from kuntadash.importing.errors import DataImportError

LOG = logging.getLogger(__name__)

SECONDS_ENV = "KUNTADASH_IMPORT_SECONDS"
MEMORY_ENV = "KUNTADASH_IMPORT_MEMORY_MB"
DEFAULT_SECONDS = 120.0
DEFAULT_MEMORY_MB = 2048
WORKER_COMMAND = (sys.executable, "-m", "kuntadash.pipeline.worker")
# The child ends itself this many seconds after its budget if nobody stopped it.
_GRACE_S = 5
_POLL_S = 0.25
# A failure with the address space this close to the limit was the memory budget running out
# (a library that cannot map its code under the limit raises ImportError, not MemoryError).
_NEAR_LIMIT = 0.9
# The child reads untrusted files and needs none of the server's secrets.
_SECRET_WORDS = ("SECRET", "PASSWORD", "TOKEN")
# NOTE: with a thread per core, scipy's OpenBLAS spun a core in a loop instead of failing when
# RLIMIT_AS refused its thread buffers (seen at 500-700 MB); one thread fails cleanly.
_ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MALLOC_ARENA_MAX": "2",
}
_REQUEST = "request.json"
_RESULT = "result.json"
_LOG = "worker.log"

# One import at a time in this server process (it holds the snapshot's lock anyway).
_SLOT = threading.BoundedSemaphore(1)


@dataclass(frozen=True)
class Budget:
    """What one import may use: wall-clock seconds and bytes of address space."""

    seconds: float = DEFAULT_SECONDS
    memory_bytes: int = DEFAULT_MEMORY_MB * 2**20

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Budget:
        """The budget the operator set (``KUNTADASH_IMPORT_SECONDS``,
        ``KUNTADASH_IMPORT_MEMORY_MB``), defaults for what is not set."""
        environ = os.environ if environ is None else environ
        return cls(
            seconds=_positive(environ, SECONDS_ENV, DEFAULT_SECONDS),
            memory_bytes=int(_positive(environ, MEMORY_ENV, DEFAULT_MEMORY_MB) * 2**20),
        )

    @property
    def memory_mb(self) -> int:
        return round(self.memory_bytes / 2**20)


def _positive(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, not {raw!r}")
    return value


@dataclass(frozen=True)
class ImportSummary:
    """What a finished import did (the child's ``ImportReport`` without the snapshot)."""

    notes: list[Message] = field(default_factory=list)
    values_added: int = 0
    values_replaced: int = 0
    harmonised: int = 0

    def render(self, lang: str) -> list[str]:
        return [note.render(lang) for note in self.notes]


class ImportJob:
    """An import running in a child process: ``wait`` for its outcome; ``stop`` it at any time,
    from any thread (twice is harmless)."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        folder: Path,
        budget: Budget,
        out: Path,
        before: bytes | None,
    ) -> None:
        self._process = process
        self._folder = folder
        self.budget = budget
        self._out = out
        self._before = before  # the served manifest before the child started
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._stopped: str | None = None
        self._finished = False

    @property
    def pid(self) -> int:
        """The child's process id, which is also its process group's id."""
        return self._process.pid

    def running(self) -> bool:
        return self._process.poll() is None

    def stop(self, reason: str = "stopped") -> None:
        """Kill the child (and anything it started), release its slot, remove its files."""
        with self._lock:
            if self._process.poll() is None:
                self._stopped = self._stopped or reason
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self._process.pid, signal.SIGKILL)
            if not self._finished:
                self._process.wait()
                shutil.rmtree(self._folder, ignore_errors=True)
                self._finished = True
                _SLOT.release()

    def wait(
        self, tick: Callable[[float], object] | None = None, interval: float = _POLL_S
    ) -> ImportSummary:
        """The import's summary; raises DataImportError when the files were refused, the budget
        ran out or the import was stopped. ``tick(seconds so far)`` is called about every
        ``interval`` seconds while it runs; whatever it raises (Streamlit ends a script run that
        way when the session ends) stops the import before it propagates."""
        try:
            deadline = self.started + self.budget.seconds
            while self.running():
                now = time.monotonic()
                if now >= deadline:
                    self.stop("time")
                    break
                if tick is not None:
                    tick(now - self.started)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._process.wait(timeout=max(0.0, min(interval, deadline - now)))
            return self._outcome()
        finally:
            self.stop()

    def _outcome(self) -> ImportSummary:
        with self._lock:
            stopped = self._stopped
        # A result written before the child was stopped still stands.
        result = _read_json(self._folder / _RESULT)
        if result is None and _manifest_mark(self._out) != self._before:
            # Stopped or ended between writing the snapshot (atomic) and reporting: the import
            # did happen, so "nothing was changed" would be untrue.
            raise DataImportError(message("data.error.import_stopped_after_write"))
        if result is None and stopped == "time":
            raise DataImportError(
                message("data.error.import_over_time", seconds=_seconds(self.budget.seconds))
            )
        if result is None and stopped is not None:
            raise DataImportError(message("data.error.import_stopped"))
        if result is None:
            LOG.warning(
                "import worker %s ended with code %s and no result: %s",
                self.pid,
                self._process.returncode,
                _tail(self._folder / _LOG),
            )
            raise DataImportError(
                message("data.error.import_crashed", code=str(self._process.returncode))
            )
        status = result.get("status")
        if status == "done":
            return ImportSummary(
                notes=[_message_from_json(item) for item in result.get("notes", [])],
                values_added=int(result.get("values_added", 0)),
                values_replaced=int(result.get("values_replaced", 0)),
                harmonised=int(result.get("harmonised", 0)),
            )
        if status == "refused":
            raise DataImportError([_message_from_json(item) for item in result["messages"]])
        if status == "memory":
            raise DataImportError(
                message("data.error.import_over_memory", limit_mb=self.budget.memory_mb)
            )
        LOG.warning("import worker %s failed: %s", self.pid, result.get("error"))
        raise DataImportError(message("data.error.import_crashed", code=str(status)))


def start_import(
    folder: Path,
    files: Sequence[Path],
    names: Sequence[str],
    out: Path,
    *,
    division_year: int,
    max_bytes: int,
    budget: Budget,
    command: Sequence[str] = WORKER_COMMAND,
    allow_blanking: bool = False,
) -> ImportJob:
    """Start importing ``files`` (shown as ``names``) into the snapshot at ``out`` in a child
    process. ``folder`` is a private temporary folder holding the files; the job owns it from
    here on and removes it when it ends. ``command`` is the child program (default: this
    module). Raises DataImportError at once when another import of this process is running."""
    if not _SLOT.acquire(blocking=False):
        shutil.rmtree(folder, ignore_errors=True)
        raise DataImportError(message("data.error.busy", dir=str(out)))
    try:
        request = {
            "files": [str(path) for path in files],
            "names": list(names),
            "out": str(Path(out).resolve()),
            "division_year": division_year,
            "max_bytes": max_bytes,
            "allow_blanking": bool(allow_blanking),
            "seconds": budget.seconds,
            "memory_bytes": budget.memory_bytes,
            "result": str(folder / _RESULT),
        }
        (folder / _REQUEST).write_text(json.dumps(request), encoding="utf-8")
        before = _manifest_mark(out)
        with open(folder / _LOG, "wb") as log:
            process = subprocess.Popen(
                [*command, str(folder / _REQUEST)],
                cwd=folder,
                env=_child_environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as a whole
            )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        _SLOT.release()
        raise
    return ImportJob(process, folder, budget, Path(out), before)


def _child_environment() -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not any(word in name.upper() for word in _SECRET_WORDS)
    }
    env.update(_ONE_THREAD)
    # The package's own folder first, so the child imports this same code even when it is not
    # installed (e.g. run from a source checkout with PYTHONPATH=src).
    source = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH", "")) if p)
    return env


def _manifest_mark(out: Path) -> bytes | None:
    """The served snapshot's manifest as it is now (it changes with every write)."""
    try:
        return (Path(out) / "manifest.json").read_bytes()
    except OSError:
        return None


def _seconds(value: float) -> str:
    return f"{value:g}"


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _tail(path: Path, size: int = 2000) -> str:
    try:
        return path.read_bytes()[-size:].decode("utf-8", "replace")
    except OSError:
        return ""


# --- messages across the process boundary ---------------------------------------------------------
def _message_to_json(item: Message) -> dict[str, Any]:
    return {"key": item.key, "params": {k: _param_to_json(v) for k, v in item.params.items()}}


def _param_to_json(value: Any) -> Any:
    if isinstance(value, Message):
        return {"message": _message_to_json(value)}
    if hasattr(value, "render") and isinstance(getattr(value, "key", None), str):
        # a translatable sentence of another layer (the store's Outcome): a message here
        return {"message": _message_to_json(Message(value.key, dict(value.params)))}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # numpy numbers, paths: the text a message would show anyway


def _message_from_json(data: Mapping[str, Any]) -> Message:
    params = {
        name: _message_from_json(value["message"]) if isinstance(value, dict) else value
        for name, value in data.get("params", {}).items()
    }
    return Message(str(data["key"]), params)


# --- the child ----------------------------------------------------------------------------------
def _limit_self(seconds: float, memory_bytes: int) -> None:
    def cap(kind: int, wanted: int) -> None:
        _, hard = resource.getrlimit(kind)
        value = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(kind, (value, hard if hard != resource.RLIM_INFINITY else value))

    cap(resource.RLIMIT_AS, memory_bytes)
    backstop = math.ceil(seconds) + _GRACE_S
    cap(resource.RLIMIT_CPU, backstop)
    cap(resource.RLIMIT_CORE, 0)  # a killed 2 GB child must not leave a 2 GB core file
    signal.alarm(backstop)  # default action: the process ends


def _peak_address_space() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _memory_ran_out(error: BaseException, request: Mapping[str, Any]) -> bool:
    """Whether ``error`` came from the address-space limit: a MemoryError somewhere in its
    chain, a library that could not be mapped (ENOMEM), or a peak close to the limit."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, MemoryError):
            return True
        if isinstance(cause, OSError) and cause.errno == errno.ENOMEM:
            return True
        if isinstance(cause, ImportError) and "failed to map segment" in str(cause):
            return True
        cause = cause.__cause__ or cause.__context__
    return _peak_address_space() >= _NEAR_LIMIT * int(request["memory_bytes"])


def _run(request: Mapping[str, Any]) -> dict[str, Any]:
    try:
        from kuntadash.pipeline.importing import import_files

        report = import_files(
            [Path(path) for path in request["files"]],
            Path(request["out"]),
            division_year=int(request["division_year"]),
            max_bytes=int(request["max_bytes"]),
            display_names=list(request["names"]),
            allow_blanking=bool(request.get("allow_blanking", False)),
        )
    except MemoryError:
        return {"status": "memory"}
    except DataImportError as exc:
        # A reader that failed for want of memory can surface as a refusal ("the existing
        # snapshot is unreadable"): then memory is the honest reason.
        if _memory_ran_out(exc, request):
            return {"status": "memory"}
        return {"status": "refused", "messages": [_message_to_json(m) for m in exc.messages]}
    except Exception as exc:  # reported to the parent, which logs it and says so in the page
        if _memory_ran_out(exc, request):
            return {"status": "memory"}
        return {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
    return {
        "status": "done",
        "notes": [_message_to_json(note) for note in report.notes],
        "values_added": report.values_added,
        "values_replaced": report.values_replaced,
        "harmonised": report.harmonised,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """The child: read the request, limit itself, import, write the result file."""
    args = sys.argv[1:] if argv is None else list(argv)
    request = json.loads(Path(args[0]).read_text("utf-8"))
    _limit_self(float(request["seconds"]), int(request["memory_bytes"]))
    result = _run(request)
    target = Path(request["result"])
    partial = target.with_suffix(".partial")
    partial.write_text(json.dumps(result), encoding="utf-8")
    partial.replace(target)  # the parent never reads half a result
    return 0


if __name__ == "__main__":
    sys.exit(main())
