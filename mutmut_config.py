"""mutmut 2's hook file (``make mutate``): the equivalent mutants it skips, each with its reason.

A mutant is skipped when its mutated line matches a rule of ``EQUIVALENT`` (the file, a piece of the
original line, a piece of the mutated line). Add one rule per equivalent mutant with a one-line
reason; everything else must be killed by a test.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Equivalent:
    file: str
    original: str  # a piece of the line before the mutation ("" matches any line)
    mutated: str  # a regular expression searched in the mutated line
    reason: str


def _help_pieces() -> list[str]:
    """The string pieces that make up the help texts of ``Settings``' options (an implicitly concatenated
    help is several pieces), read from the source: it is never imported, since it is being mutated."""
    source = Path("mockryze/core/settings.py").read_text()
    helps = [
        "".join(n.value for n in ast.walk(node.args[1]) if isinstance(n, ast.Constant) and isinstance(n.value, str))
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "opt" and len(node.args) > 1
    ]
    pieces = [ast.literal_eval(token.string) for token in tokenize.generate_tokens(io.StringIO(source).readline)
              if token.type == tokenize.STRING and not token.string.startswith(("f", '"""'))]
    return [p for p in pieces if len(p) >= 8 and any(p in text for text in helps)]


HELP = "|".join(re.escape(f'"XX{piece}XX"') for piece in sorted(set(_help_pieces()), key=len, reverse=True))
SETTINGS, LIFECYCLE = "mockryze/core/settings.py", "mockryze/instance/lifecycle.py"
DELIVERY = "mockryze/events/delivery.py"
GUARD = "nothing assigns to its fields: frozen only guards against a mistake no code makes"

EQUIVALENT: tuple[Equivalent, ...] = (
    Equivalent(SETTINGS, "", HELP or "^$", "an option's help text is documentation (--help), not contract"),
    Equivalent(SETTINGS, " | None", r"& None",
               "annotations are strings (from __future__ import annotations); kind_of reads only the type names"),
    Equivalent("mockryze/core/jid.py", " | None", r"& None", "annotations are never evaluated (future annotations)"),
    Equivalent("mockryze/core/jid.py", "@lru_cache(", "", "parse() is pure: the cache only saves repeated parsing"),
    Equivalent(SETTINGS, "@dataclass(frozen=True)", r"^@dataclass\(frozen=False\)$",
               f"Rule and Kind: {GUARD} (Settings' own frozenness is tested)"),
    Equivalent(SETTINGS, "@cache", r"^$", "zone() is pure: @cache only saves repeated look-ups"),
    Equivalent(SETTINGS, "explain: Callable", r'= ""',
               "Rule.explain is only tested for truth: an empty string is as falsy as None"),
    Equivalent(SETTINGS, "QUIRK_LIST = Rule(", r"XX",
               "QUIRK_LIST's `expected` is never shown: its `explain` names every refusal's reason"),
    Equivalent(LIFECYCLE, "@dataclass(frozen=True)", r"^@dataclass\(frozen=False\)$", f"Transition: {GUARD}"),
    Equivalent(LIFECYCLE, "needs_session: bool = False", "",
               "the field default is never used: Transition.of always passes needs_session"),
    Equivalent(LIFECYCLE, '"reconnected": Transition.of', r"session=False",
               "CONNECTING is reached only by reconnect, which needs the session; nothing wipes it before"),
    Equivalent(LIFECYCLE, "self.trigger = trigger", "", "no caller reads IllegalTransition.trigger"),
    Equivalent(LIFECYCLE, "self.state = state", "", "no caller reads IllegalTransition.state"),
    Equivalent("mockryze/core/quirks.py", "", r'"XX.* .*XX"',
               "a quirk's `changes` / `means` prose documents it (README, the listing), not contract: the values, "
               "profiles and sources are pinned by tests/contract/test_quirks_golden.py"),
    Equivalent("mockryze/core/quirks.py", "@dataclass(frozen=True",
               r"^@dataclass\(frozen=(False|True), slots=False|^@dataclass\(frozen=False",
               f"Choice, Quirk, Quirks: {GUARD}; slots only save memory"),
    Equivalent("mockryze/core/quirks.py", "Layout = Literal[", "", "a type alias for mypy, never read at run time"),
    Equivalent("mockryze/core/quirks.py", '"message.exchange": "message_layout"', r"XXmessage",
               "no caller asks event_layout for message.exchange: the messages module reads its quirk directly"),
    Equivalent("mockryze/core/quirks.py", 'return "docs" if value == "docs" else "live"', r'^return "XXdocsXX"',
               "every caller compares the layout with \"live\" only"),
    Equivalent(DELIVERY, " | None", r"& None", "annotations are never evaluated (future annotations)"),
    Equivalent(DELIVERY, "PLAIN_CACHE_SIZE", "", "the URL -> client choice cache holds a pure function of the URL "
               "and the local apps (route_locally clears it): its size only bounds memory"),
    Equivalent(DELIVERY, "body: bytes | None = field(", r"repr=True|compare=True|^body: .* = None",
               "no code compares Delivery objects or prints their repr (the journal shows view()s)"),
    Equivalent(DELIVERY, "@dataclass(frozen=True)", r"^@dataclass\(frozen=False\)$", f"WebhookRequest: {GUARD}"),
    Equivalent(DELIVERY, "@dataclass(eq=False)", r"eq=True",
               "a _Ledger or _Epoch is found by key or compared with `is`: never with ==, never hashed"),
    Equivalent(DELIVERY, "woken: asyncio.AbstractEventLoop | None = None", r'= ""$',
               "woken is only compared with `is loop`: any initial value that is no loop means not woken"),
    Equivalent("mockryze/messages/pipeline.py", 'contact.receipts if contact else "normal"', r'"XXnormalXX"',
               "a private chat is resolved through its stored contact (resolve_chat): the fallback is never used"),
    Equivalent(DELIVERY, "plain = self._plain.get(url)", r"^plain = None$",
               "the URL -> client choice is a pure function: not finding it cached only recomputes it"),
    Equivalent(DELIVERY, "and all(ch.isprintable() and not ch.isspace()", r"isprintable\(\) or not",
               "a delivery URL is percent-encoded ASCII without whitespace (the schema refuses it): both forms hold"),
    Equivalent(DELIVERY, "epoch.woken = loop", r"= None$",
               "woken only spares redundant wake-ups: an extra _take_submitted call finds nothing left to take"),
    Equivalent(DELIVERY, "entries = epoch.journal", r"= None$",
               "every caller of journal() (the deliveries verb) passes its account's token: this branch never runs"),
    Equivalent(DELIVERY, "loop = self._loop", r"^loop = None$",
               "a stale epoch's tasks check the epoch before each attempt and after each retry sleep: cancelling "
               "them on reset only frees them sooner"),
    Equivalent(DELIVERY, 'name="mockryze-webhooks"', r"XXmockryze-webhooksXX",
               "the thread's name is for debuggers: nothing reads it"),
    Equivalent(DELIVERY, "shut_down(), loop).result(timeout=5)", r"timeout=6\)",
               "a bound on a shutdown that never takes near 5 s (it only cancels tasks and closes clients)"),
    Equivalent(DELIVERY, "delivery.body = None  # the journal keeps", r'= ""',
               "a delivery's body is read once, when its delivery starts (never persisted): the rest is never read"),
    Equivalent(DELIVERY, "waiting = False", r"waiting = None", "`waiting` is only tested for truth: None is as falsy"),
    Equivalent(DELIVERY, "waiting = False", r"^waiting = True$",
               "in ring(): its one timer fires it once, so no later call reads the flag it clears"),
    Equivalent(DELIVERY, "ring, survives_reset=True)", r"survives_reset=False",
               "a reset cancels the epoch whose task the ring would wake; the flag only spares a --state write"),
    Equivalent(DELIVERY, "unsendable = False", r"= None$", "`unsendable` is only tested for truth: None is as falsy"),
    Equivalent(DELIVERY, "return False", r"^return True$",
               "after a success _deliver stops on the delivered status before it reads whether to retry"),
    Equivalent(DELIVERY, "delivery.body = None", r'^delivery\.body = ""$',
               "a dead-lettered delivery's body is never read: a redelivery is a new one that encodes its envelope"),
    Equivalent(DELIVERY, "QueueKey = tuple[", "", "a type alias for annotations (never evaluated), not run-time"),
    # Three more, observable only by timing threads (which tests must not do):
    Equivalent(DELIVERY, "settled = epoch.unsettled == 0", r"!= 0$|== 1$|= None$",
               "the notify guards a lost wake-up when the delivery thread is pre-empted between two statements"),
    Equivalent(DELIVERY, "max(due - self.world.clock.now(), 0)", r", 1\)$",
               "on a running clock a retry sleep may wake up to 1 s late in real time, nothing else changes"),
    Equivalent(DELIVERY, "* 1000", r"\* 1001$",
               "a 0.1 % scale of a real-time latency is below that latency's own noise"),
)


def _mutated_line(context: Any) -> str:
    from mutmut import Context, mutate

    copy = Context(source=context.source, mutation_id=context.mutation_id, filename=context.filename,
                   dict_synonyms=context.dict_synonyms)
    mutated, _count = mutate(copy)
    before, after = context.source.split("\n"), mutated.split("\n")
    line = context.mutation_id.line_number
    return after[line].strip() if len(before) == len(after) and line < len(after) else ""


def pre_mutation(context: Any) -> None:
    rules = [r for r in EQUIVALENT if context.filename == r.file and r.original in context.current_source_line]
    if rules:
        mutated = _mutated_line(context)
        context.skip = any(re.search(r.mutated, mutated) for r in rules)
