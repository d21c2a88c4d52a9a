"""A warm pytest for mutmut: one server imports the heavy dependencies once; each mutant's run forks it.

mutmut 2 runs its ``runner`` command once per mutant. Started cold, pytest spends ~2 s importing
starlette, httpx, jsonschema, faker, hypothesis… before the first test. Here a server imports them
once (never ``mockryze`` itself, so each fork reads the mutated source from disk), and the runner
command is a thin client: it asks the server to fork, run pytest with its arguments, and answers
with pytest's exit code.

    python scripts/mutate_runner.py serve SOCKET              # the server (scripts/mutate.py starts it)
    python scripts/mutate_runner.py run SOCKET -- PYTEST ARGS  # the runner command mutmut calls
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import sys
from importlib.metadata import entry_points

WARM_IMPORTS = ("pytest", "_pytest.pytester", "httpx", "starlette.applications", "jsonschema", "jsonschema_rs",
                "faker", "segno", "hypothesis", "sniffio", "anyio")


def serve(path: str) -> None:
    # A mutant may keep its file's size and mtime second, so a timestamp .pyc could be stale: the tree's
    # .pyc files are hash-checked (scripts/mutate.py compiles them so), and a changed source is recompiled.
    sys.dont_write_bytecode = False
    plugins = [e.value.split(":")[0] for e in entry_points(group="pytest11") if not e.value.startswith("mockryze")]
    for name in (*WARM_IMPORTS, *plugins):
        with contextlib.suppress(ImportError):
            __import__(name)
    assert not any(name == "mockryze" or name.startswith("mockryze.") for name in sys.modules)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen(1)
        print("ready", flush=True)
        while True:
            connection, _ = server.accept()
            with connection:
                request = json.loads(connection.makefile("r").readline())
                if request == "stop":
                    return
                code = _fork_pytest(request["args"], request["cwd"], connection)
                with contextlib.suppress(OSError):  # the runner gave up (mutmut's timeout): nobody to answer
                    connection.sendall(f"{code}\n".encode())


def _fork_pytest(args: list[str], cwd: str, connection: socket.socket) -> int:
    pid = os.fork()
    if pid == 0:  # the child: a fresh import of mockryze, pytest's output to the void
        try:
            os.chdir(cwd)
            sys.path.insert(0, cwd)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            import pytest
            code = int(pytest.main(args))
        except BaseException:
            code = 99
        os._exit(code)
    while True:  # a mutant may loop forever: when mutmut times the runner out, its closed socket ends the child
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        readable, _, _ = select.select([connection], [], [], 0.2)
        if readable and not connection.recv(1, socket.MSG_PEEK):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return -signal.SIGKILL


def run(path: str, args: list[str]) -> int:
    """pytest's exit code, as mutmut 2 reads it: 0 passed, 1 anything else (it counts only 1 as killed,
    so a mutant that breaks the import, exit code 3 or 4, would pass for a survivor)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.connect(path)
        client.sendall((json.dumps({"args": args, "cwd": os.getcwd()}) + "\n").encode())
        return 0 if int(client.makefile("r").readline()) == 0 else 1


def stop(path: str) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.connect(path)
        client.sendall(b'"stop"\n')


def main(argv: list[str]) -> int:
    command, path, *rest = argv
    if command == "serve":
        serve(path)
        return 0
    if command == "stop":
        stop(path)
        return 0
    return run(path, rest[1:] if rest[:1] == ["--"] else rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
