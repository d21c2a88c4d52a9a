"""Recipient parsing, canonical JIDs and the Brazilian 9th digit (mockryze.core.jid)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockryze.core import jid as J
from mockryze.core.jid import InvalidRecipient, Jid

FAST = settings(max_examples=200, deadline=None)


def full(jid: Jid) -> str:
    """``user:device@server`` when a device is known: the form clients send with a device suffix."""
    return str(jid) if jid.device is None else f"{jid.user}:{jid.device}@{jid.server}"

# --- example tables ------------------------------------------------------------------------------------

ACCEPTED: list[tuple[str, str, str, int | None]] = [
    # raw, canonical, kind, device
    ("5511987654321", "5511987654321@s.whatsapp.net", "user", None),
    ("+5511987654321", "5511987654321@s.whatsapp.net", "user", None),
    ("+55 (11) 98765-4321", "5511987654321@s.whatsapp.net", "user", None),
    ("55 11 98765 4321", "5511987654321@s.whatsapp.net", "user", None),
    ("55.11.98765.4321", "5511987654321@s.whatsapp.net", "user", None),
    ("  5511987654321\n", "5511987654321@s.whatsapp.net", "user", None),
    ("551187654321", "551187654321@s.whatsapp.net", "user", None),  # Brazilian mobile without the 9th digit
    ("+55 (11) 8765-4321", "551187654321@s.whatsapp.net", "user", None),
    ("551123456789", "551123456789@s.whatsapp.net", "user", None),  # Brazilian landline
    ("+1 (415) 555-2671", "14155552671@s.whatsapp.net", "user", None),
    ("+44 20 7946 0958", "442079460958@s.whatsapp.net", "user", None),
    ("12345678", "12345678@s.whatsapp.net", "user", None),  # 8 digits: shortest accepted
    ("123456789012345", "123456789012345@s.whatsapp.net", "user", None),  # 15 digits: E.164 maximum
    ("5511987654321@s.whatsapp.net", "5511987654321@s.whatsapp.net", "user", None),
    ("551187654321@s.whatsapp.net", "551187654321@s.whatsapp.net", "user", None),
    ("5511987654321:12@s.whatsapp.net", "5511987654321@s.whatsapp.net", "user", 12),
    ("5511987654321:0@s.whatsapp.net", "5511987654321@s.whatsapp.net", "user", 0),
    (" 5511987654321@s.whatsapp.net ", "5511987654321@s.whatsapp.net", "user", None),
    ("204918273645510@lid", "204918273645510@lid", "lid", None),
    ("204918273645510:57@lid", "204918273645510@lid", "lid", 57),
    ("5511987654321@lid", "5511987654321@lid", "lid", None),  # a LID that looks like a phone is still a LID
    ("120363000000000001@g.us", "120363000000000001@g.us", "group", None),
    ("120363024567890123@g.us", "120363024567890123@g.us", "group", None),
    ("5511987654321-1587654321@g.us", "5511987654321-1587654321@g.us", "group", None),  # legacy
    ("120363000000000002@newsletter", "120363000000000002@newsletter", "newsletter", None),
    ("123456789@newsletter", "123456789@newsletter", "newsletter", None),
    ("status@broadcast", "status@broadcast", "broadcast", None),
]

REJECTED: list[tuple[object, str]] = [
    # raw, a fragment of the reason
    ("", "empty"),
    ("   ", "empty"),
    ("abc", "only digits"),
    ("status", "only digits"),
    ("5511abc87654321", "only digits"),
    ("1234567", "8-15 digits"),
    ("1234567890123456", "8-15 digits"),
    ("+ ( ) - .", "8-15 digits"),
    ("0011987654321", "never with 0"),
    ("011 98765-4321", "never with 0"),
    ("++5511987654321", "only digits"),
    ("55+11987654321", "only digits"),
    ("55\t11987654321", "only digits"),
    ("55_11_987654321", "only digits"),
    ("5511987654321 ext 1", "only digits"),
    ("\u0665\u0665\u0661\u0661\u0669\u0668\u0667\u0666\u0665\u0664\u0663\u0662\u0661", "only digits"),  # Arabic-Indic
    ("\uff15\uff15\uff11\uff11\uff19\uff18\uff17\uff16\uff15\uff14\uff13\uff12\uff11", "only digits"),  # full-width
    ("5511987654321@c.us", "unknown server"),
    ("5511987654321@S.WHATSAPP.NET", "unknown server"),
    ("5511987654321@whatsapp.net", "unknown server"),
    ("5511987654321@", "unknown server"),
    ("5511987654321@@s.whatsapp.net", "more than one '@'"),
    ("5511987654321@s.whatsapp.net@g.us", "more than one '@'"),
    ("@s.whatsapp.net", "8-15 digits"),
    ("+5511987654321@s.whatsapp.net", "ASCII digits"),
    ("55 11 98765 4321@s.whatsapp.net", "ASCII digits"),
    ("1234567@s.whatsapp.net", "8-15 digits"),
    ("0511987654321@s.whatsapp.net", "never with 0"),
    ("5511987654321:@s.whatsapp.net", "device suffix"),
    ("5511987654321:ab@s.whatsapp.net", "device suffix"),
    ("5511987654321:012@s.whatsapp.net", "device suffix"),
    ("5511987654321:-1@s.whatsapp.net", "device suffix"),
    ("5511987654321:65536@s.whatsapp.net", "0-65535"),
    ("5511987654321:1:2@s.whatsapp.net", "device suffix"),
    (":12@s.whatsapp.net", "8-15 digits"),
    ("0204918273645510@lid", "lid id"),
    ("1234567890123456789012345@lid", "lid id"),
    ("abc@lid", "lid id"),
    ("abc@g.us", "group id"),
    ("120363abc@g.us", "group id"),
    ("@g.us", "group id"),
    ("5511987654321-@g.us", "group id"),
    ("-1587654321@g.us", "8-15 digits"),
    ("1-2-3@g.us", "legacy"),
    ("120363000000000001:1@g.us", "no device suffix"),
    ("abc@newsletter", "newsletter id"),
    ("120363000000000002:3@newsletter", "no device suffix"),
    ("Status@broadcast", "only 'status@broadcast'"),
    ("STATUS@BROADCAST", "unknown server"),
    ("status@Broadcast", "unknown server"),
    ("status @broadcast", "only 'status@broadcast'"),
    ("status@ broadcast", "unknown server"),
    ("status@broadcast:1", "unknown server"),
    ("status:1@broadcast", "no device suffix"),
    ("1587654321@broadcast", "only 'status@broadcast'"),
    ("@broadcast", "only 'status@broadcast'"),
    ("status@", "unknown server"),
    (5511987654321, "must be a string"),
    (None, "must be a string"),
]


@pytest.mark.parametrize(("raw", "canonical", "kind", "device"), ACCEPTED)
def test_accepted_forms_normalise(raw: str, canonical: str, kind: str, device: int | None) -> None:
    parsed = J.parse(raw)
    assert str(parsed) == canonical
    assert parsed.kind == kind
    assert parsed.device == device
    assert J.parse(canonical) == parsed
    assert J.parse(full(parsed)).device == device


@pytest.mark.parametrize(("raw", "reason"), REJECTED)
def test_rejected_inputs(raw: object, reason: str) -> None:
    with pytest.raises(InvalidRecipient) as info:
        J.parse(raw)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError)
    assert reason in info.value.reason
    assert reason in str(info.value)


def test_error_keeps_the_raw_input() -> None:
    with pytest.raises(InvalidRecipient) as info:
        J.parse(" +55 11 987 ")
    assert info.value.raw == " +55 11 987 "


# Each refusal's whole reason, as X-Mockryze-Detail shows it (the table above matches pieces of it).
KNOWN = "@s.whatsapp.net, @lid, @g.us, @newsletter, @broadcast"
EXACT_REASONS: list[tuple[object, str]] = [
    (None, "a recipient must be a string"),
    (" \t", "empty recipient"),
    ("55+11987654321", "a bare phone number may contain only digits, one leading '+' and ' ( ) - .'"),
    ("a@b@s.whatsapp.net", "more than one '@'"),
    ("5511987654321:012@s.whatsapp.net", "a device suffix is ':' followed by a number without leading zeros"),
    ("5511987654321:65536@s.whatsapp.net", "a device number is 0-65535"),
    ("5511987654321@c.us", f"unknown server 'c.us' (known: {KNOWN})"),
    ("other@broadcast", "only 'status@broadcast' is accepted"),
    ("+5511987654321@s.whatsapp.net", "a phone number must be ASCII digits"),
    ("0511987654321@s.whatsapp.net", "a phone number starts with its country code, never with 0"),
    ("1234567@s.whatsapp.net", "a phone number has 8-15 digits, this one has 7"),
    ("1234567890123456", "a phone number has 8-15 digits, this one has 16"),
    ("abc@lid", "a lid id is 1-24 ASCII digits without a leading zero"),
    ("1-2-3@g.us", "a group id is 'digits' or the legacy 'creator-timestamp'"),
    ("120363000000000002:3@newsletter", "a newsletter JID has no device suffix"),
]


@pytest.mark.parametrize(("raw", "reason"), EXACT_REASONS)
def test_each_refusal_gives_its_whole_reason(raw: object, reason: str) -> None:
    with pytest.raises(InvalidRecipient) as info:
        J.parse(raw)  # type: ignore[arg-type]
    assert info.value.reason == reason
    assert str(info.value) == f"invalid recipient {str(raw)!r}: {reason}"  # a non-string is kept as its repr


@pytest.mark.parametrize(("user", "server", "device", "message"), [
    ("other", "broadcast", None, "invalid recipient 'other@broadcast': only 'status@broadcast' is accepted"),
    (5511987654321, "s.whatsapp.net", None,
     "invalid recipient \"Jid(user=5511987654321, server='s.whatsapp.net', device=None)\": "
     "user and server must be strings"),
])
def test_the_constructor_names_what_it_refused(user: object, server: str, device: int | None, message: str) -> None:
    with pytest.raises(InvalidRecipient) as info:
        Jid(user, server, device)  # type: ignore[arg-type]
    assert str(info.value) == message


# --- the Jid value -------------------------------------------------------------------------------------


def test_jid_properties() -> None:
    user = Jid("5511987654321", "s.whatsapp.net", 12)
    assert (user.kind, user.phone, user.device, str(user)) == (
        "user", "5511987654321", 12, "5511987654321@s.whatsapp.net"
    )
    assert user.bare().device is None
    lid = Jid("204918273645510", "lid", 57)
    assert (lid.kind, lid.phone, lid.device, str(lid)) == ("lid", None, 57, "204918273645510@lid")
    assert str(Jid("120363000000000001", "g.us")) == "120363000000000001@g.us"
    assert [Jid("1", server).kind for server in ("lid", "g.us", "newsletter")] == ["lid", "group", "newsletter"]
    assert Jid("status", "broadcast").kind == "broadcast"


def test_device_is_not_part_of_the_identity() -> None:
    a, b = Jid("5511987654321", "s.whatsapp.net", 1), Jid("5511987654321", "s.whatsapp.net", 2)
    assert a == b == Jid("5511987654321", "s.whatsapp.net")
    assert len({a, b}) == 1
    assert Jid("204918273645510", "lid") != Jid("204918273645510", "g.us")


@pytest.mark.parametrize(
    ("user", "server", "device"),
    [
        ("abc", "s.whatsapp.net", None),
        ("5511987654321", "c.us", None),
        ("120363000000000001", "g.us", 1),
        ("status", "broadcast", 0),
        ("other", "broadcast", None),
        ("5511987654321", "s.whatsapp.net", -1),
        ("5511987654321", "s.whatsapp.net", 70000),
        ("5511987654321", "s.whatsapp.net", True),
        (5511987654321, "s.whatsapp.net", None),
    ],
)
def test_constructor_validates(user: object, server: str, device: object) -> None:
    with pytest.raises(InvalidRecipient):
        Jid(user, server, device)  # type: ignore[arg-type]


def test_jid_is_frozen() -> None:
    jid = Jid("5511987654321", "s.whatsapp.net")
    with pytest.raises(AttributeError):
        jid.user = "1"  # type: ignore[misc]


def test_every_server_has_a_kind() -> None:
    assert set(J.KIND_BY_SERVER.values()) == {"user", "lid", "group", "newsletter", "broadcast"}
    assert {J.parse(raw).kind for raw, *_ in ACCEPTED} == set(J.KIND_BY_SERVER.values())


# --- Brazilian 9th digit -------------------------------------------------------------------------------

BR_WITH_9, BR_WITHOUT_9 = "5511987654321", "551187654321"


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        (BR_WITH_9, (BR_WITH_9, BR_WITHOUT_9)),
        (BR_WITHOUT_9, (BR_WITH_9, BR_WITHOUT_9)),
        ("5521996543210", ("5521996543210", "552196543210")),
        ("558571234567", ("5585971234567", "558571234567")),  # Fortaleza, 7xxx mobile written without 9
        ("556161234567", ("5561961234567", "556161234567")),  # a 6xxx mobile
        ("551123456789", ("551123456789",)),  # São Paulo landline (2-5)
        ("551155556666", ("551155556666",)),
        ("5511923456789", ("5511923456789",)),  # 9 + landline-looking digits: no 12-digit twin
        ("5501987654321", ("5501987654321",)),  # DDD with a 0 does not exist
        ("5510987654321", ("5510987654321",)),
        ("5511887654321", ("5511887654321",)),  # 13 digits without the 9th digit in place
        ("55119876543210", ("55119876543210",)),  # 14 digits
        ("55118765432", ("55118765432",)),  # 11 digits
        ("14155552671", ("14155552671",)),  # USA
        ("351912345678", ("351912345678",)),  # Portugal: not 55
        ("5411987654321", ("5411987654321",)),  # Argentina, same shape, other country
    ],
)
def test_brazilian_variants(phone: str, expected: tuple[str, ...]) -> None:
    assert J.brazilian_variants(phone) == expected


@pytest.mark.parametrize("bad", ["", "+5511987654321", "55 11 98765 4321", "abc", "\uff15\uff15"])
def test_brazilian_helpers_want_plain_digits(bad: str) -> None:
    with pytest.raises(InvalidRecipient) as info:
        J.brazilian_variants(bad)
    assert info.value.reason == "expected a phone number as ASCII digits (use Jid.phone)"


def test_jid_level_matching() -> None:
    with_9 = J.parse("5511987654321:3@s.whatsapp.net")
    without_9 = J.parse("551187654321")
    assert J.variants(without_9) == (with_9, without_9)
    assert J.identity(without_9) == J.identity(with_9) == J.parse(BR_WITH_9)
    assert J.identity(with_9).device is None
    lid = J.parse("551187654321@lid")
    assert J.variants(lid) == (lid,)
    assert J.identity(lid) != J.identity(without_9)
    assert J.identity(J.parse("5511987654321@lid")) != J.identity(J.parse("551187654321@lid"))


# --- Hypothesis strategies -----------------------------------------------------------------------------


def _digits(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=min_size, max_size=max_size)


def _numeric_id(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.builds(lambda head, tail: head + tail, st.sampled_from("123456789"), _digits(min_size - 1, max_size - 1))


ddds = st.text("123456789", min_size=2, max_size=2)
mobile_tails = st.builds(lambda head, tail: head + tail, st.sampled_from("6789"), _digits(7, 7))
landline_tails = st.builds(lambda head, tail: head + tail, st.sampled_from("2345"), _digits(7, 7))
br_mobiles_with_9 = st.builds(lambda ddd, tail: f"55{ddd}9{tail}", ddds, mobile_tails)
br_mobiles_without_9 = st.builds(lambda ddd, tail: f"55{ddd}{tail}", ddds, mobile_tails)
br_mobiles = st.one_of(br_mobiles_with_9, br_mobiles_without_9)
br_landlines = st.builds(lambda ddd, tail: f"55{ddd}{tail}", ddds, landline_tails)
foreign_phones = _numeric_id(8, 15).filter(lambda phone: not phone.startswith("55"))
phones = st.one_of(br_mobiles, br_landlines, foreign_phones, _numeric_id(8, 15))
lids = _numeric_id(1, J.MAX_ID_DIGITS)
devices = st.none() | st.integers(0, J.MAX_DEVICE)
group_ids = st.one_of(
    st.builds(lambda tail: "120363" + tail, _digits(12, 12)),
    _numeric_id(1, J.MAX_ID_DIGITS),
    st.builds(lambda phone, stamp: f"{phone}-{stamp}", phones, _numeric_id(9, 10)),
)
newsletter_ids = st.one_of(st.builds(lambda tail: "120363" + tail, _digits(12, 12)), _numeric_id(1, J.MAX_ID_DIGITS))

jids = st.one_of(
    st.builds(Jid, phones, st.just(J.USER_SERVER), devices),
    st.builds(Jid, lids | br_mobiles, st.just(J.LID_SERVER), devices),
    st.builds(Jid, group_ids, st.just(J.GROUP_SERVER)),
    st.builds(Jid, newsletter_ids, st.just(J.NEWSLETTER_SERVER)),
    st.just(Jid("status", J.BROADCAST_SERVER)),
)

_SEPARATOR_CHARS = " -.()"
_OUTER_WHITESPACE = st.text(" \t\n", max_size=2)


@st.composite
def typed_forms(draw: st.DrawFn, phone: str) -> str:
    """``phone`` as a person might type it: optional ``+``, separators between digits, outer whitespace."""
    pieces = [digit + draw(st.text(_SEPARATOR_CHARS, max_size=2)) for digit in phone]
    body = draw(st.text(_SEPARATOR_CHARS, max_size=1)) + "".join(pieces)
    plus = draw(st.sampled_from(["", "+"]))
    return draw(_OUTER_WHITESPACE) + plus + body + draw(_OUTER_WHITESPACE)


@st.composite
def raw_forms(draw: st.DrawFn, phone: str) -> str:
    """Any accepted raw form of the user ``phone``."""
    device = draw(st.integers(0, J.MAX_DEVICE))
    return draw(st.sampled_from([phone, f"+{phone}", f"{phone}@s.whatsapp.net", f"{phone}:{device}@s.whatsapp.net"])
                | typed_forms(phone))


@st.composite
def accepted_raw(draw: st.DrawFn) -> str:
    """Any accepted recipient string, of any kind."""
    jid = draw(jids)
    if jid.kind == "user":
        return draw(raw_forms(jid.user))
    return draw(st.sampled_from([str(jid), full(jid)])) if jid.device is not None else str(jid)


# --- properties ----------------------------------------------------------------------------------------


@FAST
@given(jids)
def test_parse_print_round_trip(jid: Jid) -> None:
    assert J.parse(str(jid)) == jid
    assert J.parse(str(jid)).device is None
    with_device = J.parse(full(jid))
    assert (with_device, with_device.device, with_device.kind) == (jid, jid.device, jid.kind)


@FAST
@given(accepted_raw())
def test_parse_is_idempotent(raw: str) -> None:
    parsed = J.parse(raw)
    assert J.parse(str(parsed)) == parsed
    assert str(J.parse(str(parsed))) == str(parsed)


@FAST
@given(st.data(), phones)
def test_every_form_of_a_number_is_one_jid(data: st.DataObject, phone: str) -> None:
    forms = [data.draw(raw_forms(phone)) for _ in range(4)]
    assert {str(J.parse(raw)) for raw in forms} == {f"{phone}@s.whatsapp.net"}
    assert {J.parse(raw).phone for raw in forms} == {phone}


@FAST
@given(st.data(), br_mobiles)
def test_both_brazilian_forms_are_one_recipient(data: st.DataObject, phone: str) -> None:
    forms = [data.draw(raw_forms(variant)) for variant in J.brazilian_variants(phone) for _ in range(2)]
    identities = {J.identity(J.parse(raw)) for raw in forms}
    assert identities == {Jid(J.brazilian_variants(phone)[0], J.USER_SERVER)}
    assert len(J.brazilian_variants(phone)[0]) == 13


@FAST
@given(phones)
def test_brazilian_variants_symmetric_and_idempotent(phone: str) -> None:
    found = J.brazilian_variants(phone)
    assert phone in found
    assert len(set(found)) == len(found) <= 2
    for variant in found:
        assert J.brazilian_variants(variant) == found  # idempotent: same set, same order
        assert phone in J.brazilian_variants(variant)  # symmetric


@FAST
@given(br_mobiles)
def test_brazilian_mobiles_have_two_forms(phone: str) -> None:
    with_9, without_9 = J.brazilian_variants(phone)
    assert (len(with_9), len(without_9)) == (13, 12)
    assert with_9[:4] + with_9[5:] == without_9 and with_9[4] == "9"


# Numbers that collide often: the two forms of a few mobiles, plus unrelated numbers.
related = st.lists(br_mobiles, min_size=1, max_size=3).flatmap(
    lambda bases: st.sampled_from([v for base in bases for v in J.brazilian_variants(base)]) | phones
)


@FAST
@given(related, related)
def test_two_numbers_are_one_contact_exactly_when_they_are_variants(a: str, b: str) -> None:
    same = J.identity(Jid(a, J.USER_SERVER)) == J.identity(Jid(b, J.USER_SERVER))
    assert same == (b in J.brazilian_variants(a)) == (a in J.brazilian_variants(b))


@FAST
@given(st.one_of(br_landlines, foreign_phones))
def test_landlines_and_foreign_numbers_have_no_variant(phone: str) -> None:
    assert J.brazilian_variants(phone) == (phone,)
    assert J.variants(Jid(phone, J.USER_SERVER)) == (Jid(phone, J.USER_SERVER),)


@FAST
@given(br_mobiles | lids, devices)
def test_lids_never_get_a_variant(user: str, device: int | None) -> None:
    lid = Jid(user, J.LID_SERVER, device)
    assert J.variants(lid) == (lid,)
    assert J.identity(lid) == lid
    assert J.identity(lid).device is None


@FAST
@given(br_mobiles)
def test_a_lid_never_matches_a_phone(phone: str) -> None:
    lid, user = Jid(phone, J.LID_SERVER), Jid(phone, J.USER_SERVER)
    assert all(J.identity(lid) != J.identity(variant) for variant in J.variants(user))


@FAST
@given(jids, jids)
def test_identity_never_joins_two_kinds(a: Jid, b: Jid) -> None:
    assert J.identity(a) == J.identity(J.parse(full(a)))
    if a.kind != b.kind:
        assert J.identity(a) != J.identity(b)


@FAST
@given(st.text(max_size=30))
def test_parse_never_crashes_otherwise(raw: str) -> None:
    try:
        parsed = J.parse(raw)
    except InvalidRecipient as exc:
        assert exc.reason
    else:
        assert J.parse(str(parsed)) == parsed
