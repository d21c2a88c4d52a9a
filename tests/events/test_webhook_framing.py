"""The webhook client's response parser against h11 as the oracle.

For any well-formed HTTP/1.x response — interim 1xx responses, Content-Length, chunked (with
extensions and trailers) or close-delimited bodies, bodiless statuses, ``Connection`` tokens,
HTTP/1.0 — arriving in any pieces, with or without the connection closing after it, our parser
and h11 agree on the final status, whether the connection can carry another request, and which
bytes are left unread; and neither finishes when the response is incomplete.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass

import h11
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockryze.events.webhook_client import read_response

# (status, whether the connection can carry the next request, bytes left unread); None: still incomplete
Outcome = tuple[int, bool, bytes] | None

FRAMING_NAMES = {"content-length", "transfer-encoding", "connection"}


@dataclass(frozen=True)
class Case:
    response: bytes
    cuts: tuple[int, ...]  # where the response is split into separate arrivals
    eof: bool  # the receiver closes the connection after sending it

    @property
    def pieces(self) -> list[bytes]:
        bounds = [0, *sorted(c for c in self.cuts if 0 < c < len(self.response)), len(self.response)]
        return [self.response[a:b] for a, b in itertools.pairwise(bounds)]


# --- what h11 and our parser make of a response ----------------------------------------------------


def h11_reads(case: Case) -> Outcome:
    connection = h11.Connection(h11.CLIENT)
    connection.send(h11.Request(method="POST", target="/", headers=[("Host", "receiver"), ("Content-Length", "0")]))
    connection.send(h11.EndOfMessage())
    if case.response:  # h11 takes b"" for the connection closing
        connection.receive_data(case.response)
    if case.eof:
        connection.receive_data(b"")
    status = 0
    while (event := connection.next_event()) is not h11.NEED_DATA:
        if type(event) is h11.Response:
            status = event.status_code
        elif type(event) is h11.EndOfMessage:
            unread, closed = connection.trailing_data
            return status, connection.their_state is h11.DONE and not closed, unread
    return None


async def settle() -> None:
    """Let the parser's task run as far as the bytes fed so far take it (no real time passes)."""
    for _ in range(5):
        await asyncio.sleep(0)


async def parse_in_pieces(case: Case) -> Outcome:
    reader = asyncio.StreamReader()
    task = asyncio.create_task(read_response(reader))
    for piece in case.pieces:
        reader.feed_data(piece)
        await settle()
    if case.eof:
        reader.feed_eof()
    await settle()
    if not task.done():
        task.cancel()
        return None
    status, keep_alive = task.result()
    if not case.eof:
        reader.feed_eof()
    return status, keep_alive and not case.eof, await reader.read()  # the pool drops connections at EOF


def ours(case: Case) -> Outcome:
    return asyncio.run(parse_in_pieces(case))


# --- well-formed responses -------------------------------------------------------------------------

ows = st.sampled_from(["", " ", "  ", "\t"])
visible = st.characters(min_codepoint=0x21, max_codepoint=0x7E) | st.characters(min_codepoint=0xA0,
                                                                                  max_codepoint=0xFF)
value = st.builds(lambda words: " ".join(words), st.lists(st.text(visible, min_size=1, max_size=8), max_size=3))
name = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,15}", fullmatch=True).filter(lambda n: n.lower() not in FRAMING_NAMES)


def cased(header: str) -> st.SearchStrategy[str]:
    return st.sampled_from([header, header.lower(), header.upper()])


@st.composite
def header_line(draw: st.DrawFn, header: st.SearchStrategy[str], content: st.SearchStrategy[str]) -> str:
    return f"{draw(header)}:{draw(ows)}{draw(content)}{draw(ows)}\r\n"


other_headers = st.lists(header_line(name, value), max_size=4).map("".join)
connection_tokens = st.sampled_from(["close", "Close", "keep-alive", "Keep-Alive", "keep-alive, close", "upgrade",
                                     "TE, close"])
connection_headers = st.lists(header_line(cased("Connection"), connection_tokens), max_size=2).map("".join)


@st.composite
def interim(draw: st.DrawFn) -> str:
    status = draw(st.sampled_from([100, 102, 103, 199]))
    return f"HTTP/1.1 {status} {draw(st.sampled_from(['Continue', 'Early Hints', '']))}\r\n{draw(other_headers)}\r\n"


@st.composite
def chunked_body(draw: st.DrawFn) -> bytes:
    chunks = draw(st.lists(st.binary(min_size=1, max_size=40), max_size=4))
    extension = st.sampled_from(["", ";ext=1", ';name="v"', ";x"])
    encoded = b"".join(
        f"{draw(st.sampled_from(['{:x}', '{:X}', '0{:x}'])).format(len(chunk))}{draw(extension)}\r\n".encode()
        + chunk + b"\r\n" for chunk in chunks)
    trailers = draw(st.lists(header_line(name, value), max_size=2))
    return encoded + f"{draw(st.sampled_from(['0', '000']))}{draw(extension)}\r\n{''.join(trailers)}\r\n".encode()


@st.composite
def framed(draw: st.DrawFn) -> tuple[str, bytes]:
    """The framing headers and the body bytes after the head."""
    framing = draw(st.sampled_from(["length", "chunked", "chunked+length", "close"]))
    if framing == "close":
        return "", draw(st.binary(max_size=60))
    if framing.startswith("chunked"):
        headers = draw(header_line(cased("Transfer-Encoding"), st.sampled_from(["chunked", "Chunked"])))
        if framing == "chunked+length":  # Transfer-Encoding wins
            headers += draw(header_line(cased("Content-Length"), st.just(str(draw(st.integers(0, 99))))))
        return headers, draw(chunked_body())
    body = draw(st.binary(max_size=60))
    length = str(len(body))
    headers = draw(header_line(cased("Content-Length"), st.sampled_from([length, f"{length}, {length}"])))
    if draw(st.booleans()):  # the same length twice is allowed
        headers += draw(header_line(cased("Content-Length"), st.just(length)))
    return headers, body


@st.composite
def responses(draw: st.DrawFn) -> Case:
    version = draw(st.sampled_from(["HTTP/1.1", "HTTP/1.0"]))
    status = draw(st.sampled_from([200, 201, 202, 204, 304, 404, 408, 429, 500, 503]) | st.integers(200, 599))
    reason = draw(st.sampled_from(["OK", "", "Not Found", "Service Unavailable", "x\ty"]))
    framing, body = draw(framed())
    headers = [draw(other_headers), framing, draw(connection_headers)]
    ordered = draw(st.permutations(headers))
    response = ("".join(draw(st.lists(interim(), max_size=2))) + f"{version} {status} {reason}\r\n"
                + "".join(ordered) + "\r\n").encode("latin-1") + body
    after = draw(st.binary(max_size=16))  # the start of something else: must be left unread
    response += after
    cuts = tuple(draw(st.lists(st.integers(0, len(response)), max_size=6)))
    return Case(response, cuts, draw(st.booleans()))


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(responses())
def test_the_parser_reads_what_h11_reads(case: Case) -> None:
    assert ours(case) == h11_reads(case)


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(responses(), st.data())
def test_a_truncated_response_is_incomplete_for_both(case: Case, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(case.response)))
    truncated = Case(case.response[:cut], case.cuts, eof=False)
    assert ours(truncated) == h11_reads(truncated)
