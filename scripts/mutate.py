"""Mutation testing of the modules that carry the contract, with mutmut 2 (``make mutate``).

mutmut 2, not 3: mutmut 3 mutates only code inside functions, and the contract lives in module-level
tables (the literal catalog, the settings' defaults, the lifecycle's transitions).

Each module is mutated in a scratch copy of the tree (``build/mutation/tree-<package>-<module>``: the work tree is
never touched) against its own fast test selection (``TARGETS``), run by a warm forking pytest server
(``scripts/mutate_runner.py``). Equivalent mutants are skipped by ``mutmut_config.py``, each with its
reason. The summary (killed / survived / timeout per module) goes to ``build/mutation/summary.txt``
(``summary-sample.txt`` for the sample) and is printed; each survivor's diff goes to ``build/mutation/survivors.txt``.

    python scripts/mutate.py                       # every contract module
    python scripts/mutate.py --sample --strict     # literals, settings, lifecycle; exit 1 on a survivor
    python scripts/mutate.py mockryze/core/jid.py  # some modules
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "mutation"
SOCKET = "/tmp/mockryze-mutate-{pid}-{module}.sock"  # AF_UNIX paths are short: not under the tree
PYTEST_ARGS = ("-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-m", "not slow")


@dataclass(frozen=True)
class Target:
    tests: tuple[str, ...]  # the tests that exercise the module, fastest first (-x stops at the first failure)
    sample: bool = False  # part of the bounded sample `make test` runs


TARGETS: dict[str, Target] = {
    # literals: in `make mutate`, not in the sample: every catalog literal already has a golden row that
    # compares its status and text through HTTP in the suite itself, and its 549 mutants alone took
    # 6.8 minutes of make test's wall time (549 killed, 0 survived on the last full run).
    "mockryze/core/literals.py": Target(("tests/contract/test_golden.py",)),
    "mockryze/core/settings.py": Target(("tests/contract/test_settings.py", "tests/contract/test_defaults.py",
                                         "tests/http/test_quirks.py"), sample=True),  # the --quirk option
    "mockryze/instance/lifecycle.py": Target(("tests/instance/test_lifecycle.py", "tests/contract/test_golden.py"),
                                             sample=True),
    # jid, pipeline, delivery (first full run -> after triage, killed / survived / skipped as equivalent):
    # jid 128/21/5 -> 149/0/5; pipeline 88/21/0 -> 109/0/1; delivery 266/63/0 -> 293/5/31, the 5 only thread
    # timing could observe (a lost wake-up race settle() guards against (3), a running clock's sub-second retry
    # wake-up, a 0.1 % latency scale) since marked in mutmut_config.py: 293/0/36.
    "mockryze/core/jid.py": Target(("tests/core/test_jid.py", "tests/messages/test_recipients.py")),
    "mockryze/messages/pipeline.py": Target(("tests/messages/test_send_pipeline.py", "tests/contract/test_defaults.py",
                                             "tests/messages/test_inbound.py", "tests/messages/test_recipients.py",
                                             "tests/messages/test_messages_e2e.py", "tests/groups/test_traffic.py",
                                             "tests/contract/test_golden.py", "tests/core/test_state.py")),
    # instance model, chat actions, groups model (first run -> after triage, killed / survived / timeout /
    # skipped as equivalent): instance 184/28/1/0 -> 195/0/2/16 (99.0 %: the 2 timeouts are mutants that make a
    # 0 s QR rotation reschedule forever, caught as hangs); chat 221/64/0/0 -> 249/0/0/36; groups 314/94/0/4 ->
    # 382/0/0/30.
    "mockryze/instance/model.py": Target(("tests/instance", "tests/contract/test_defaults.py",
                                          "tests/contract/rows_instance.py", "tests/core/test_state.py")),
    "mockryze/events/delivery.py": Target(("tests/contract/test_defaults.py", "tests/events/test_webhook_delivery.py",
                                           "tests/events/test_webhook_end_to_end.py", "tests/events/test_events_api.py",
                                           "tests/testing/dropin/test_deliver_to.py", "tests/core/test_state.py",
                                           "tests/events/test_webhook_hardening.py",
                                           "tests/events/test_events_config.py",
                                           "tests/events/test_delivery_thread.py")),
    "mockryze/chat/actions.py": Target(("tests/chat/test_state_routes.py", "tests/chat/test_message_routes.py",
                                        "tests/chat/test_message_e2e.py", "tests/contract/rows_chat.py",
                                        "tests/contract/test_defaults.py")),  # the history page's default count
    "mockryze/groups/model.py": Target(("tests/groups/test_routes.py", "tests/groups/test_participants.py",
                                        "tests/groups/test_membership_state.py", "tests/groups/test_traffic.py",
                                        "tests/groups/test_flow_end_to_end.py", "tests/communities",
                                        "tests/contract/rows_groups.py")),
    "mockryze/core/quirks.py": Target(("tests/contract/test_quirks_golden.py", "tests/http/test_quirks.py",
                                       "tests/chat/test_labels_e2e.py", "tests/groups/test_participants.py",
                                       "tests/contract/test_settings.py", "tests/contract/test_golden.py")),
}

STATUSES = {"ok_killed": "killed", "bad_survived": "survived", "bad_timeout": "timeout",
            "ok_suspicious": "suspicious", "skipped": "skipped", "untested": "untested"}


def slug(module: str) -> str:
    """A module's short name for its tree, log and socket: ``instance-model`` (two modules are ``model.py``)."""
    return "-".join(Path(module).with_suffix("").parts[-2:])


def tree_of(module: str) -> Path:
    return OUT / f"tree-{slug(module)}"


def copy_tree(tree: Path) -> None:
    """The files git knows (tracked or new, not ignored) into a fresh ``tree``."""
    shutil.rmtree(tree, ignore_errors=True)
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source, copy = ROOT / name, tree / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():  # mockryze/schema_files -> ../schemas
            copy.symlink_to(os.readlink(source))
        elif source.is_file():
            shutil.copy2(source, copy)
    # .pyc files checked against the source's hash, not its mtime and size (which a mutant may keep)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "--invalidation-mode", "checked-hash", "mockryze",
                    "tests", "scripts"], cwd=tree, check=True)


def start_server(tree: Path, path: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPATH": str(tree)}
    server = subprocess.Popen([sys.executable, "scripts/mutate_runner.py", "serve", path], cwd=tree, env=env,
                              stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None and server.stdout.readline().strip() == "ready", "the pytest server did not start"
    return server


def mutate_module(module: str) -> float:
    """Mutate one module in its own tree copy, with its own pytest server; the seconds it took."""
    tree, path = tree_of(module), SOCKET.format(pid=os.getpid(), module=slug(module))
    copy_tree(tree)
    server = start_server(tree, path)
    try:
        print(f"mutating {module} against {' '.join(TARGETS[module].tests)}", flush=True)
        return mutate(tree, module, TARGETS[module], path)
    finally:
        subprocess.run([sys.executable, str(ROOT / "scripts/mutate_runner.py"), "stop", path], check=False)
        server.wait(timeout=30)
        Path(path).unlink(missing_ok=True)


def mutate(tree: Path, module: str, target: Target, path: str) -> float:
    runner = " ".join([sys.executable, "scripts/mutate_runner.py", "run", path, "--", *PYTEST_ARGS[:-1],
                       repr(PYTEST_ARGS[-1]), *target.tests])
    command = [str(Path(sys.executable).with_name("mutmut")), "run", "--paths-to-mutate", module,
               "--tests-dir", "tests", "--runner", runner, "--no-progress", "--simple-output",
               "--test-time-multiplier", "4", "--test-time-base", "10"]
    started = time.monotonic()
    log = OUT / f"mutmut-{slug(module)}.log"
    with log.open("w") as out:
        subprocess.run(command, cwd=tree, stdout=out, stderr=subprocess.STDOUT,
                       env={**os.environ, "PYTHONPATH": str(tree)}, check=False)
    return time.monotonic() - started


def results(module: str) -> Counter[str]:
    """How many of the module's mutants ended in each status (from mutmut's cache)."""
    counts: Counter[str] = Counter()
    with sqlite3.connect(tree_of(module) / ".mutmut-cache") as db:
        for filename, status, count in db.execute(
                "SELECT sourcefile.filename, mutant.status, COUNT(*) FROM mutant "
                "JOIN line ON mutant.line = line.id JOIN sourcefile ON line.sourcefile = sourcefile.id "
                "GROUP BY sourcefile.filename, mutant.status"):
            if filename == module:
                counts[STATUSES.get(status, status)] += count
    return counts


def survivors(module: str) -> list[tuple[int, str]]:
    with sqlite3.connect(tree_of(module) / ".mutmut-cache") as db:
        rows = db.execute("SELECT mutant.id, sourcefile.filename FROM mutant JOIN line ON mutant.line = line.id "
                          "JOIN sourcefile ON line.sourcefile = sourcefile.id "
                          "WHERE mutant.status IN ('bad_survived', 'bad_timeout') ORDER BY mutant.id")
        return [(int(i), str(f)) for i, f in rows]


def show(module: str, mutant: int) -> str:
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    return subprocess.run([mutmut, "show", str(mutant)], cwd=tree_of(module), capture_output=True, text=True).stdout


def summary(counts: dict[str, Counter[str]], seconds: dict[str, float]) -> str:
    head = f"{'module':34} {'killed':>6} {'survived':>8} {'timeout':>7} {'suspicious':>10} {'skipped':>7} " \
           f"{'killed %':>8} {'time':>6}"
    lines = [head, "-" * len(head)]
    for module in seconds:
        c = counts[module]
        tested = c["killed"] + c["survived"] + c["timeout"] + c["suspicious"]
        score = f"{100 * (c['killed'] + c['suspicious']) / tested:.1f}" if tested else "-"
        lines.append(f"{module:34} {c['killed']:6} {c['survived']:8} {c['timeout']:7} {c['suspicious']:10} "
                     f"{c['skipped']:7} {score:>8} {seconds[module]:5.0f}s")
    return "\n".join(lines) + "\n(suspicious: killed, but slowly; skipped: equivalent, see mutmut_config.py)\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", help="modules to mutate (default: every contract module)")
    parser.add_argument("--sample", action="store_true", help="only the bounded sample (literals, settings, lifecycle)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a mutant survives or times out")
    parser.add_argument("--jobs", type=int, default=2, help="modules mutated at once (default 2: one per core)")
    options = parser.parse_args()
    chosen = options.modules or [m for m, t in TARGETS.items() if t.sample or not options.sample]
    unknown = [m for m in chosen if m not in TARGETS]
    if unknown:
        parser.error(f"not a contract module (see TARGETS): {unknown}")
    OUT.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=options.jobs) as pool:
        seconds = dict(zip(chosen, pool.map(mutate_module, chosen), strict=True))
    text = summary({module: results(module) for module in chosen}, seconds)
    name = "summary-sample.txt" if options.sample else "summary.txt"
    (OUT / name).write_text(text)
    left = [(module, i) for module in chosen for i, _ in survivors(module)]
    survivors_file = OUT / ("survivors-sample.txt" if options.sample else "survivors.txt")
    survivors_file.write_text("".join(f"--- mutant {i} ({m})\n{show(m, i)}\n" for m, i in left))
    print(text, end="")
    if left:
        print(f"{len(left)} surviving or timed-out mutants: their diffs are in {survivors_file}")
        print("kill each with a test, or skip it as equivalent in mutmut_config.py with a one-line reason")
    return 1 if options.strict and left else 0


if __name__ == "__main__":
    sys.exit(main())
