"""Runs one task's program, in a process of its own started by ``sandbox.py``.

Standard library only, run as a script with ``python -I``.  Before the program it takes the
resource limits, leaves the network (a network namespace of its own, where the kernel allows
one), and installs an audit hook that refuses sockets, processes, native code and writes
outside the scratch directory.  The hook guards against a model's accidents, not a hostile
program; the namespace and the limits are what a program cannot undo.

Protocol: one JSON job on stdin; one line on the file descriptor passed in ``report_fd``:
``PASS <nonce>`` or ``FAIL <reason>``.  The program's own output goes to /dev/null.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import sys
from collections.abc import Callable

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
REFUSED_EVENTS = (
    "socket.__new__",
    "socket.connect",
    "socket.bind",
    "socket.getaddrinfo",
    "subprocess.Popen",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "os.kill",
    "os.killpg",
    "pty.spawn",
    "ctypes.dlopen",
    "ctypes.dlsym",
    "ctypes.cdata",
)
# Events whose first arguments are the paths the program wants to change.
WRITING_EVENTS = (
    "os.remove",
    "os.rename",
    "os.rmdir",
    "os.mkdir",
    "os.symlink",
    "os.link",
    "os.chmod",
    "os.chown",
    "os.truncate",
    "os.utime",
    "shutil.rmtree",
    "shutil.copyfile",
    "shutil.move",
)
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def main() -> None:
    job = json.loads(sys.stdin.read())
    report = os.fdopen(os.dup(1), "w")
    _silence_program()
    scratch = os.path.realpath(os.getcwd())
    _limit(job["cpu_s"], job["memory_bytes"], job["file_bytes"])
    network = "namespace" if _leave_network() else "audit hook"
    sys.addaudithook(_guard(scratch))
    namespace = {"__name__": "__task__"}
    try:
        exec(compile(job["program"], "<task>", "exec"), namespace)
    except BaseException as error:  # the program's failure, whatever it is, is the result
        report.write(f"FAIL {type(error).__name__}: {error}"[:300].replace("\n", " ") + "\n")
    else:
        report.write(f"PASS {job['nonce']} {network}\n")
    report.flush()
    os._exit(0)


def _silence_program() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.stdout = sys.stderr = open(devnull, "w")  # noqa: SIM115 - lives as long as the process


def _limit(cpu_s: int, memory_bytes: int, file_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _leave_network() -> bool:
    """A new network namespace has only a loopback that is down: nothing to connect to."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    return any(libc.unshare(flags) == 0 for flags in (CLONE_NEWUSER | CLONE_NEWNET, CLONE_NEWNET))


def _guard(scratch: str) -> Callable[[str, tuple[object, ...]], None]:
    def inside(path: object) -> bool:
        if isinstance(path, int):
            return True  # an already open descriptor
        try:
            real = os.path.realpath(os.fsdecode(path))  # type: ignore[arg-type]
        except TypeError:
            return False
        return real == scratch or real.startswith(scratch + os.sep)

    def hook(event: str, args: tuple[object, ...]) -> None:
        if event in REFUSED_EVENTS:
            raise PermissionError(f"the sandbox refuses {event}")
        if event == "open":
            path, mode, flags = args
            writing = any(c in str(mode or "") for c in "wax+") or bool(
                isinstance(flags, int) and flags & WRITE_FLAGS
            )
            if writing and path is not None and not inside(path):
                raise PermissionError(f"the sandbox refuses writing {path!r}")
        elif event in WRITING_EVENTS:
            for path in args[:2]:
                if isinstance(path, (str, bytes, os.PathLike)) and not inside(path):
                    raise PermissionError(f"the sandbox refuses {event} on {path!r}")

    return hook


if __name__ == "__main__":
    main()
