"""A warm start for the suite's proxies: one Python process that has imported the SUT once
and forks a proxy (stack/launcher.py's main) for each request.

Starting a proxy the ordinary way costs about 0.5 s of CPU, nearly all of it importing
uvicorn, FastAPI and the SUT; a scenario of its own proxy pays it again each time, and a
2-core machine running 6 workers pays it about 50 times per run. A forked child has
those modules already, so it goes straight to building its ProxyConfig and serving. It is
still a proxy of its own: a separate process, with its own database file, port, log file
and environment, that leads its own process group and is stopped by a signal, as a
spawned launcher is. Forking copies no running state: this process starts no thread and
no event loop (checked before each fork). Python reseeds `random` in every forked child.

Each child runs the launcher script (`--launcher`, stack/launcher.py or the one the stack's
manifest names) as __main__ with its arguments, as `python launcher.py ...` would.

A proxy whose environment sets LD_PRELOAD (a controlled clock, libfaketime) is not
started here: the library must be loaded when the process is executed.

Protocol, one JSON object per line:
  stdin   {"id": N, "argv": [...launcher arguments], "env": {...}, "log": "/path"}
  stdout  {"id": N, "pid": P}                  the child is running (it leads group P)
          {"id": N, "error": "..."}            it could not be forked
          {"exit": P, "code": C, "signal": S}  child P ended (one of C and S is null)
          {"ready": true, "imports_s": T}      once, when the imports are done
When stdin closes (the suite's worker ended), every child still running is killed and
this process exits. Each child also dies with this process (PR_SET_PDEATHSIG), so a
killed worker leaves no proxy behind.
"""

from __future__ import annotations

import argparse
import ctypes
import importlib
import json
import os
import runpy
import selectors
import signal
import sys
import threading
import time

# What a launcher process imports before it serves, and what the SUT imports on its
# first requests. A module a SUT version does not have is left out.
WARM_MODULES = [
    "uvicorn",
    "uvicorn.config",
    "uvicorn.server",
    "uvicorn.main",
    "uvicorn.lifespan.on",
    "uvicorn.loops.auto",
    "uvicorn.loops.asyncio",
    "uvicorn.protocols.http.auto",
    "uvicorn.protocols.http.h11_impl",
    "uvicorn.protocols.websockets.auto",
    "h11",
    "core.mail_proxy.proxy",
    "core.mail_proxy.proxy_config",
    "core.mail_proxy.entities.storage.endpoint",
    "core.mail_proxy.entities.storage.table",
    "enterprise.mail_proxy.entities.account.endpoint_ee",
    "enterprise.mail_proxy.entities.account.table_ee",
    "enterprise.mail_proxy.entities.instance.endpoint_ee",
    "enterprise.mail_proxy.entities.instance.table_ee",
    "enterprise.mail_proxy.entities.message.table_ee",
    "enterprise.mail_proxy.entities.tenant.endpoint_ee",
    "enterprise.mail_proxy.entities.tenant.table_ee",
]

PR_SET_PDEATHSIG = 1


def emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def warm() -> float:
    started = time.monotonic()
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    return time.monotonic() - started


def child(request: dict, parent: int, launcher: str) -> None:
    """In the forked child: becomes the proxy. Never returns."""
    code = 1
    try:
        os.setsid()
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the server died between fork and prctl
            os._exit(1)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        signal.set_wakeup_fd(-1)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        os.close(null)
        sys.stdin = open(0, closefd=False)
        sys.stdout = open(1, "w", buffering=1, closefd=False)
        sys.stderr = open(2, "w", buffering=1, closefd=False)
        os.environ.update(request.get("env") or {})
        sys.argv = [launcher, *request["argv"]]
        sys.path[0] = os.path.dirname(launcher)
        runpy.run_path(launcher, run_name="__main__")
        code = 0
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            code = stop.code or 0
        else:  # sys.exit("message"): printed, exit code 1, as the interpreter does
            print(stop.code, file=sys.stderr)
            code = 1
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def stop_server(*_: object) -> None:
    raise SystemExit(143)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launcher", required=True, help="the launcher script each child runs")
    launcher = os.path.abspath(parser.parse_args().launcher)
    imports_s = warm()
    me = os.getpid()
    children: set[int] = set()

    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGTERM, stop_server)

    sel = selectors.DefaultSelector()
    stdin_fd = sys.stdin.fileno()
    sel.register(stdin_fd, selectors.EVENT_READ, "stdin")
    sel.register(wake_r, selectors.EVENT_READ, "signal")
    emit({"ready": True, "imports_s": round(imports_s, 3)})

    def reap() -> None:
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            children.discard(pid)
            if os.WIFSIGNALED(status):
                emit({"exit": pid, "code": None, "signal": signal.Signals(os.WTERMSIG(status)).name})
            else:
                emit({"exit": pid, "code": os.WEXITSTATUS(status), "signal": None})

    pending = b""
    try:
        while True:
            for key, _ in sel.select():
                if key.data == "signal":
                    try:
                        while os.read(wake_r, 512):
                            pass
                    except BlockingIOError:
                        pass
                    reap()
                    continue
                chunk = os.read(stdin_fd, 65536)
                if not chunk:
                    return 0
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    if not line.strip():
                        continue
                    request = json.loads(line)
                    if threading.active_count() != 1:
                        emit({"id": request.get("id"), "error": f"the fork server runs {threading.active_count()} threads; it forks only with one"})
                        continue
                    try:
                        pid = os.fork()
                    except OSError as error:
                        emit({"id": request.get("id"), "error": f"fork failed: {error}"})
                        continue
                    if pid == 0:
                        sel.close()
                        child(request, me, launcher)
                    children.add(pid)
                    emit({"id": request.get("id"), "pid": pid})
            reap()
    finally:
        for pid in list(children):
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass


if __name__ == "__main__":
    sys.exit(main())
