"""Recipients and JIDs: parse what clients send in ``number`` / ``to``, and print the canonical form.

Accepted input (outer whitespace is ignored everywhere; the forms RyzeAPI documents for ``number``):

===========================  ==============================================  ==============
form                         example                                         kind
===========================  ==============================================  ==============
bare phone number            ``5511987654321``, ``+55 (11) 98765-4321``      ``user``
user JID                     ``5511987654321@s.whatsapp.net``, ``…:12@…``    ``user``
hidden id (LID)              ``204918273645510@lid``, ``…:57@lid``           ``lid``
group JID                    ``120363000000000001@g.us``                     ``group``
legacy group JID             ``5511987654321-1587654321@g.us``               ``group``
newsletter (channel) JID     ``120363000000000002@newsletter``               ``newsletter``
status broadcast             ``status@broadcast`` (this literal only)        ``broadcast``
===========================  ==============================================  ==============

Rules:

* Phone numbers (bare or before ``@s.whatsapp.net``) are 8–15 ASCII digits (E.164 allows 15), country
  code first, so they never start with ``0`` (that would be a trunk or ``00`` international prefix).
* A bare number may carry one leading ``+`` and the separators people type: space, ``-``, ``.``, ``(``,
  ``)``. They are formatting and are dropped wherever they appear. JID forms are machine-made and
  accept no separators, no ``+`` and no upper case.
* Other ids (LID, group, newsletter) are 1–24 ASCII digits without a leading zero.
* A device suffix ``:N`` (0–65535, no leading zero; observed on the live service) is accepted on user
  and LID JIDs only. It is kept in :attr:`Jid.device` but is not part of the identity: equality,
  hashing and the canonical string ignore it.
* Anything else raises :class:`InvalidRecipient` with a reason meant for a developer.

Parsing never changes digits: ``551187654321`` (a Brazilian mobile written without the 9th digit) stays
12 digits. Matching the two forms of a Brazilian mobile is separate (:func:`brazilian_variants`,
:func:`variants`); the mock stores the 13-digit form (:func:`identity`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

USER_SERVER = "s.whatsapp.net"
LID_SERVER = "lid"
GROUP_SERVER = "g.us"
NEWSLETTER_SERVER = "newsletter"
BROADCAST_SERVER = "broadcast"
STATUS_BROADCAST = "status@broadcast"

KIND_BY_SERVER: dict[str, str] = {
    USER_SERVER: "user",
    LID_SERVER: "lid",
    GROUP_SERVER: "group",
    NEWSLETTER_SERVER: "newsletter",
    BROADCAST_SERVER: "broadcast",
}

MIN_PHONE_DIGITS = 8
MAX_PHONE_DIGITS = 15  # E.164
MAX_ID_DIGITS = 24
MAX_DEVICE = 65535

_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() would let "١٢٣" or "²" through
_TYPED_PHONE = re.compile(r"\+?[0-9 ().-]+")
_SEPARATORS = re.compile(r"[ ().-]")
_BRAZIL_MOBILE_WITH_9 = re.compile(r"55[1-9]{2}9[6-9][0-9]{7}")
_BRAZIL_MOBILE_WITHOUT_9 = re.compile(r"55[1-9]{2}[6-9][0-9]{7}")


class InvalidRecipient(ValueError):
    """A recipient string (or JID part) that is not one of the accepted forms; ``reason`` says why."""

    def __init__(self, raw: str, reason: str) -> None:
        super().__init__(f"invalid recipient {raw!r}: {reason}")
        self.raw = raw
        self.reason = reason


@dataclass(frozen=True)
class Jid:
    """A WhatsApp address. Identity is ``(user, server)``; ``device`` is carried along but not compared."""

    user: str
    server: str
    device: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.user, str) or not isinstance(self.server, str):
            raise InvalidRecipient(repr(self), "user and server must be strings")
        _check_server(self.server, self.user)
        _check_user(self.kind, self.user)
        _check_device(self.kind, self.device, self.user)

    @property
    def kind(self) -> str:
        return KIND_BY_SERVER[self.server]

    @property
    def phone(self) -> str | None:
        """The phone number's digits for a user JID, else ``None`` (a LID hides the number)."""
        return self.user if self.kind == "user" else None

    def bare(self) -> Jid:
        """The same JID without its device."""
        return Jid(self.user, self.server)

    def __str__(self) -> str:
        return f"{self.user}@{self.server}"


# --- parsing -------------------------------------------------------------------------------------------


def parse(raw: str) -> Jid:
    """Parse a recipient as clients send it; raises :class:`InvalidRecipient`."""
    if not isinstance(raw, str):
        raise InvalidRecipient(repr(raw), "a recipient must be a string")
    return _parse_text(raw)


@lru_cache(maxsize=4096)  # a chat's JID is parsed on every send and receipt; Jid is immutable
def _parse_text(raw: str) -> Jid:
    text = raw.strip()
    if not text:
        raise InvalidRecipient(raw, "empty recipient")
    try:
        return _parse_jid(text) if "@" in text else Jid(_parse_typed_phone(text), USER_SERVER)
    except InvalidRecipient as exc:
        raise InvalidRecipient(raw, exc.reason) from None


def _parse_typed_phone(text: str) -> str:
    if not _TYPED_PHONE.fullmatch(text):
        raise InvalidRecipient(text, "a bare phone number may contain only digits, one leading '+' and ' ( ) - .'")
    return _SEPARATORS.sub("", text.removeprefix("+"))


def _parse_jid(text: str) -> Jid:
    local, _, server = text.partition("@")
    if "@" in server:
        raise InvalidRecipient(text, "more than one '@'")
    _check_server(server, text)
    user, device = _split_device(text, local)
    return Jid(user, server, device)


def _split_device(raw: str, local: str) -> tuple[str, int | None]:
    user, colon, device = local.partition(":")
    if not colon:
        return user, None
    if not _DIGITS.fullmatch(device) or (device.startswith("0") and device != "0"):
        raise InvalidRecipient(raw, "a device suffix is ':' followed by a number without leading zeros")
    return user, int(device)


# --- validation (shared by parse and the Jid constructor) ----------------------------------------------


def _check_server(server: str, raw: str) -> None:
    if server not in KIND_BY_SERVER:
        known = ", ".join(f"@{name}" for name in KIND_BY_SERVER)
        raise InvalidRecipient(raw, f"unknown server {server!r} (known: {known})")


def _check_user(kind: str, user: str) -> None:
    if kind == "user":
        _check_phone(user)
    elif kind == "group":
        _check_group_id(user)
    elif kind == "broadcast":
        if user != "status":
            raise InvalidRecipient(f"{user}@{BROADCAST_SERVER}", f"only {STATUS_BROADCAST!r} is accepted")
    else:
        _check_numeric_id(user, kind)


def _check_phone(digits: str) -> None:
    if not _DIGITS.fullmatch(digits or "0"):
        raise InvalidRecipient(digits, "a phone number must be ASCII digits")
    if digits.startswith("0"):
        raise InvalidRecipient(digits, "a phone number starts with its country code, never with 0")
    if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        raise InvalidRecipient(
            digits, f"a phone number has {MIN_PHONE_DIGITS}-{MAX_PHONE_DIGITS} digits, this one has {len(digits)}"
        )


def _check_numeric_id(value: str, kind: str) -> None:
    if not _DIGITS.fullmatch(value) or value.startswith("0") or len(value) > MAX_ID_DIGITS:
        raise InvalidRecipient(value, f"a {kind} id is 1-{MAX_ID_DIGITS} ASCII digits without a leading zero")


def _check_group_id(user: str) -> None:
    parts = user.split("-")
    if len(parts) > 2:
        raise InvalidRecipient(user, "a group id is 'digits' or the legacy 'creator-timestamp'")
    if len(parts) == 2:
        _check_phone(parts[0])
    _check_numeric_id(parts[-1], "group")


def _check_device(kind: str, device: int | None, user: str) -> None:
    if device is None:
        return
    if kind not in ("user", "lid"):
        raise InvalidRecipient(user, f"a {kind} JID has no device suffix")
    if isinstance(device, bool) or not isinstance(device, int) or not 0 <= device <= MAX_DEVICE:
        raise InvalidRecipient(user, f"a device number is 0-{MAX_DEVICE}")


# --- Brazilian 9th digit (documented, and observed on the live service) -------------------------------


def brazilian_variants(phone: str) -> tuple[str, ...]:
    """``(with 9, without 9)`` for a Brazilian mobile, else ``(phone,)``.

    A Brazilian mobile is ``55`` + a DDD of two non-zero digits + ``9`` + 8 digits starting with 6-9
    (13 digits), or the same without the ``9`` (12 digits). The 8-digit part must look like a
    pre-2016 mobile (6-9) in both forms: ``55 11 9 2345-6789`` has no 12-digit twin because
    ``55 11 2345-6789`` is a landline. Landlines, foreign numbers (and LIDs: see :func:`variants`)
    have no variant.
    """
    _check_digits(phone)
    if _BRAZIL_MOBILE_WITH_9.fullmatch(phone):
        return phone, phone[:4] + phone[5:]
    if _BRAZIL_MOBILE_WITHOUT_9.fullmatch(phone):
        return phone[:4] + "9" + phone[4:], phone
    return (phone,)


def _check_digits(phone: str) -> None:
    if not isinstance(phone, str) or not _DIGITS.fullmatch(phone):
        raise InvalidRecipient(str(phone), "expected a phone number as ASCII digits (use Jid.phone)")


# --- JID-level matching --------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def variants(jid: Jid) -> tuple[Jid, ...]:
    """Every JID the service would try for ``jid`` (both Brazilian forms for a mobile), device dropped."""
    if jid.phone is None:
        return (jid.bare(),)
    return tuple(Jid(phone, USER_SERVER) for phone in brazilian_variants(jid.phone))


def identity(jid: Jid) -> Jid:
    """The JID the mock stores and looks a recipient up under: device dropped, Brazilian mobiles 13 digits."""
    return variants(jid)[0]
