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
INSTANCE, CHAT, GROUPS = "mockryze/instance/model.py", "mockryze/chat/actions.py", "mockryze/groups/model.py"
DETAIL = ("an ApiError's second argument is the X-Mockryze-Detail header's prose for humans (README: it says why), "
          "not contract: the refusal's status and literal are its first")
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
    # --- the instance model, chat actions and groups model ---
    *[Equivalent(module, " | None", r"& None", "annotations are never evaluated (future annotations)")
      for module in (INSTANCE, CHAT, GROUPS)],
    Equivalent(INSTANCE, "attempt: int = 0", r"= 1\b",
               "the attempt counter is only compared with a copy of itself a timer took: its start is never seen"),
    Equivalent(INSTANCE, "    number: str | None = None", r'= ""',
               "a never-paired instance's number is read only for truth (jid, `or \"\"`), and pairing sets it"),
    Equivalent(INSTANCE, "pending: Pending | None = None", r'= ""',
               "pending is read only while WAITING, and the transition there (connect) always sets it"),
    Equivalent(INSTANCE, 'lid: str = ""', r"= None",
               "every reader takes an empty lid as none (`or None`, truth), and pairing sets it"),
    Equivalent(CHAT, '"pending": "pending", "sent": "sent"', r'"XXpendingXX"',
               "no message ever records `pending` (a send records `sent`; the receipt verb has no `pending`)"),
    Equivalent(CHAT, '": "sent", "', r'"XX\w+XX": "sent"',
               "SNAPSHOT_OF.get falls back to `sent`: a status that means `sent` reads the same without its key"),
    Equivalent(GROUPS, 'ACTIONS = ("add", "remove"', "",
               "nothing reads groups.model.ACTIONS (the request schema's enum and ACTING name the actions)"),
    Equivalent(GROUPS, 'CODE_ALPHABET = "', r'"XX[A-Za-z0-9]+XX"',
               "the alphabet only gains two more X: a code is still 22 of [A-Za-z0-9], all a user can rely on"),
    Equivalent(INSTANCE, "@dataclass(frozen=True)", r"^@dataclass\(frozen=False\)$", f"InlineSlot: {GUARD}"),
    Equivalent(CHAT, "@dataclass(frozen=True)", r"^@dataclass\(frozen=False\)$", f"Page: {GUARD}"),
    Equivalent(CHAT, '"ptv": "video"', r"XXptvXX|XXvideoXX",
               "no message carries media type `ptv`: sends and the inbound verb make image, video, audio, ptt, …"),
    Equivalent(GROUPS, "Purpose = Literal[", "", "a type alias for mypy, never read at run time"),
    Equivalent(INSTANCE, "instance.attempt += 1", r"attempt (-= 1|\+= 2)$",
               "a timer only compares the counter with its copy for equality: any other step makes it stale too"),
    *[Equivalent(module, "raise ApiError(", r'^raise ApiError\(\S+, f?"XX.*XX"\)( from None)?$', DETAIL)
      for module in (INSTANCE, CHAT, GROUPS)],
    Equivalent(CHAT, 'f"{original.id} is a {original.type} message")', r'^f"XX', DETAIL),
    Equivalent(GROUPS, "own: Role | None = None", r'= ""',
               "never read: create() sets own (a Role or None) on every Group right after building it"),
    Equivalent(GROUPS, "CODE_ALPHABET[world.ids.integer(6)", r"integer\(7\)",
               "a wider random draw per character: a code is still 22 of [A-Za-z0-9]; which ones is seed-arbitrary"),
    Equivalent(CHAT, 'best = "received" if message.direction == "incoming"', r"XXincomingXX",
               "an incoming message always records `delivered` when received, which reads `received` anyway"),
    Equivalent(CHAT, 'state = SNAPSHOT_OF.get(recorded, "sent")', r'"XXsentXX"',
               "every status a message can record (pipeline, receipt verb) has its key: the fallback is never used"),
    Equivalent(CHAT, 'if message.direction == "incoming" and state in ("sent", "delivered")',
               r'"XXincomingXX"|"XXsentXX"|"XXdeliveredXX"',
               "an incoming message's snapshot starts at `received`, which `sent` and `delivered` never beat"),
    Equivalent(CHAT, "if SNAPSHOT_CODES[state] > SNAPSHOT_CODES[best]:", r">=",
               "each snapshot state has its own code: an equal code is the same state"),
    Equivalent(GROUPS, "member: bool = True, group_jid_", r"member: bool = False",
               "only the control-plane verb names a creator, and it always passes member; with no creator the "
               "instance is the super-admin whatever member says"),
    Equivalent(CHAT, 'media_type = str(media.get("type", message.type))', r'"XXtypeXX"',
               "a media block's type is its message's own, or `ptt` on an audio message: both show as `audio`"),
    Equivalent(CHAT, 'media.get("mimeType", "")', r'"XXXX"',
               "media_block (every media's maker) always sets mimeType: the fallback is never used"),
    Equivalent(INSTANCE, "if instance.state is not State.WAITING or instance.pending is None", r" and ",
               "pending is set exactly while WAITING (every transition sets or clears it): either test alone decides"),
    Equivalent(GROUPS, "group.changed_by[", r'or "XXXX"',
               "no caller passes an author: who is the instance's own JID, and every group route needs it connected"),
    Equivalent(CHAT, 'decoded_size(str(media.get("base64", "")))', r'"XXXX"',
               "media_block (every media's maker) always keeps the base64: the fallback is never used"),
    Equivalent(GROUPS, "error: str | None = None", r'= ""', "never used: every Outcome(...) passes its error"),
    Equivalent(CHAT, "wanted = count if count and count > 0", r"count >= 0",
               "a count of 0 is already falsy: `>= 0` lets through nothing `> 0` does not"),
    Equivalent(CHAT, "break  # the index is in time order", r"^continue",
               "every message is stamped world.now() (a clock that never goes back): no later one is newer"),
    Equivalent(CHAT, 'if parsed.kind in ("user", "lid") else str(jid.identity(parsed))', r'"XXuserXX"',
               "for a phone JID contact_key is jid.identity: only a LID resolves differently"),
    Equivalent(CHAT, "break  # votes come after their poll", r"^continue",
               "a vote names its poll, so it is stored after it: nothing older can be one of its votes"),
    Equivalent(CHAT, 'counts.get(chosen["name"], 0) + 1', r", 1\) \+ 1",
               "counts starts with every option at 0 and the vote verb takes offered options only: no fallback"),
    Equivalent(CHAT, 'EDIT_TOO_OLD, f"sent {world.now() - original.timestamp', "", DETAIL),
    Equivalent(INSTANCE, "    instance.number = None", r'= ""',
               "a logged-out instance's number is read only for truth (jid, `or \"\"`), and pairing sets it again"),
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
