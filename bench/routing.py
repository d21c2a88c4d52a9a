"""Routing cost per request: the app's IndexedRouter against one Starlette Mount per module and a
plain Starlette Router (a linear scan), over the same route table.

    .venv/bin/python bench/routing.py [--rounds 15] [--calls 3000]

Every leaf endpoint is swapped for a no-op, so what is timed is finding the route (the 404 path
is left out: it raises through Starlette's exception middleware the same way for all three).
Times are the CPU time of this thread (the machine is shared), best of the rounds. Each router
must reach the same leaf for every row before anything is timed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from starlette.routing import BaseRoute, Mount, Route, Router, compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from mockryze.http.app import ALL_ENDPOINTS, IndexedRouter, create_app, modules

HOT = [("POST", "/api/message/text/bench"), ("GET", "/api/instance/connect/sales"), ("GET", "/api/instance/list"),
       ("POST", "/api/events/webhook/sales"), ("GET", "/__mock__/clock"), ("POST", "/__mock__/inbox/hooks/a/b")]
reached: list[str] = []


class ModuleMount(Mount):
    """One module's routes under its prefix; the rest of the path may hold any character (as ``{instance}``)."""

    def __init__(self, prefix: str, routes: list[BaseRoute]) -> None:
        super().__init__(prefix, app=Router(routes, redirect_slashes=False))
        self.path_regex, self.path_format, self.param_convertors = compile_path(self.path + "/{path:anypath}")


def mounted(flat: list[BaseRoute]) -> Router:
    """The same routes, in table order, one Mount per module of the route table and the rest at the top."""
    top: list[BaseRoute] = []
    inner: dict[str, list[BaseRoute]] = {module.prefix: [] for module in modules(ALL_ENDPOINTS)}
    for route in flat:
        path = getattr(route, "path", "")
        prefix = next((prefix for prefix in inner if path.startswith(prefix + "/")), None)
        if prefix is None or not isinstance(route, Route):
            top.append(route)
        else:
            inner[prefix].append(Route(path.removeprefix(prefix), route.endpoint, methods=route.methods))
    return Router([*(ModuleMount(p, routes) for p, routes in inner.items()), *top], redirect_slashes=False)


def leaf(name: str) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(name)
    return app


def silence(routes: list[BaseRoute], prefix: str = "") -> None:
    for route in routes:
        if isinstance(route, Mount):
            silence(route.routes, prefix + route.path)
        else:
            route.app = leaf(f"{sorted(getattr(route, 'methods', None) or ['WS'])} {prefix}{route.path}")  # type: ignore[attr-defined]


def run(coroutine: Coroutine[Any, Any, None]) -> None:
    try:
        coroutine.send(None)
    except StopIteration:
        return


def route_once(router: Router, method: str, path: str) -> None:
    run(router.app({"type": "http", "method": method, "path": path, "root_path": "", "headers": [],
                    "query_string": b""}, None, None))  # type: ignore[arg-type]


def concrete(path: str) -> str:
    for param, value in ((":instance", "sales"), ("{name}", "sales"), ("{key}", "hooks"), ("{id}", "d1"),
                         ("{suffix:anypath}", "a/b")):
        path = path.replace(param, value)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=3000)
    args = parser.parse_args()

    app_router = create_app().router
    assert isinstance(app_router, IndexedRouter)
    flat = list(app_router.routes)
    routers = {"IndexedRouter": app_router, "Mount per module": mounted(flat),
               "plain Router": Router(flat, redirect_slashes=False)}
    for router in routers.values():
        silence(router.routes)
    rows = [(spec.method, concrete(spec.path)) for spec in ALL_ENDPOINTS]
    for method, path in rows:
        leaves = []
        for router in routers.values():
            reached.clear()
            route_once(router, method, path)
            leaves.append(tuple(reached))
        assert len(set(leaves)) == 1 and leaves[0], (method, path, leaves)

    best = {(name, case): float("inf") for name in routers for case in [*HOT, "all"]}
    for _ in range(args.rounds):
        for name, router in routers.items():
            for method, path in HOT:
                started = time.thread_time()
                for _ in range(args.calls):
                    route_once(router, method, path)
                best[name, (method, path)] = min(best[name, (method, path)],
                                                 (time.thread_time() - started) / args.calls)
            started = time.thread_time()
            for _ in range(max(1, args.calls // len(rows))):
                for method, path in rows:
                    route_once(router, method, path)
            spent = (time.thread_time() - started) / (max(1, args.calls // len(rows)) * len(rows))
            best[name, "all"] = min(best[name, "all"], spent)

    print(f"routing cost per request, us (CPU, best of {args.rounds}) · {os.cpu_count()} CPUs · "
          f"load {os.getloadavg()[0]:.2f}")
    print(f"{'request':40}" + "".join(f"{name:>18}" for name in routers))
    for case in [*HOT, "all"]:
        label = f"mean over all {len(rows)} rows" if case == "all" else " ".join(case)
        print(f"{label:40}" + "".join(f"{best[name, case] * 1e6:18.2f}" for name in routers))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
