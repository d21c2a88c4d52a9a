"""A webhook URL as a delivery uses it: checked at configuration, normalised once per row.

The scheme and host are case-insensitive (lower-cased), a non-ASCII host is IDNA-encoded, the path
and query are percent-encoded as UTF-8 where RFC 3986 does not allow a character (an existing
``%XX`` stays as it is, a ``%`` that starts no ``%XX`` becomes ``%25``), the fragment is dropped
(it never reaches a server), and ``user:password@`` leaves the URL: it becomes a Basic credential,
never part of ``Host``.
"""

from __future__ import annotations

import base64
import ipaddress
import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit, urlunsplit

SCHEMES = frozenset({"http", "https"})
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# RFC 3986 pchar minus the letters and digits quote() keeps anyway; "%" so that %XX is kept
PATH_SAFE = "/:@!$&'()*+,;=-._~%"
QUERY_SAFE = PATH_SAFE + "?"
MOCK_PREFIX = "/__mock__"  # http.verbs.MOCK_PREFIX, which cannot be imported here: http imports the events config
INBOX_PREFIX = MOCK_PREFIX + "/inbox/"


@dataclass(frozen=True)
class WebhookUrl:
    url: str  # what a POST goes to
    host: str  # lower-case, IDNA
    port: int
    basic_auth: str | None  # ``Basic …`` from the URL's userinfo

    @property
    def origin(self) -> tuple[str, int]:
        return self.host, self.port

    def control_plane(self) -> bool:
        """Whether the path names the mock's control plane (``/__mock__/…``), but not a capture inbox.

        Read as the server routes it: percent-decoded, dot-segments resolved, repeated slashes merged."""
        path = urlsplit(self.url).path
        routed = re.sub("/+", "/", posixpath.normpath("/" + unquote(path)))
        return (routed == MOCK_PREFIX or routed.startswith(MOCK_PREFIX + "/")) and not routed.startswith(INBOX_PREFIX)


@lru_cache(maxsize=1024)
def parse(raw: str) -> WebhookUrl:
    """Raises ``ValueError`` saying what is wrong with ``raw`` as a webhook URL."""
    if CONTROL.search(raw):
        raise ValueError("url: control characters are not allowed")
    parts = urlsplit(raw)
    if parts.scheme not in SCHEMES:  # urlsplit lower-cases the scheme
        raise ValueError("url: the scheme must be http or https")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= 65535:
        raise ValueError("url: the port must be a number from 1 to 65535")
    host = _host(parts.hostname or "")
    if not host:
        raise ValueError("url: no host")
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    path = quote(LONE_PERCENT.sub("%25", parts.path), safe=PATH_SAFE)
    query = quote(LONE_PERCENT.sub("%25", parts.query), safe=QUERY_SAFE)
    url = urlunsplit((parts.scheme, netloc, path, query, ""))
    default_port = 443 if parts.scheme == "https" else 80
    return WebhookUrl(url, host, parts.port or default_port, _basic(parts.username, parts.password))


def _host(hostname: str) -> str:
    if hostname.isascii():
        return hostname
    try:
        return hostname.encode("idna").decode("ascii")
    except UnicodeError:
        return hostname  # not a name IDNA can spell: the connection fails and is journaled


def _basic(username: str | None, password: str | None) -> str | None:
    if username is None:
        return None
    credential = f"{unquote(username)}:{unquote(password or '')}"
    return "Basic " + base64.b64encode(credential.encode()).decode("ascii")


def is_loopback(host: str) -> bool:
    """localhost, 127.0.0.0/8, ::1 (also IPv4-mapped), or the unspecified address (0.0.0.0, ::)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host.startswith("127.")  # the short spellings a resolver takes (127.1)
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return (mapped or address).is_loopback or address.is_unspecified


@lru_cache(maxsize=1024)
def targets_own_control_plane(url: str, base_url: str, listen_port: int) -> bool:
    """Whether a webhook URL would POST into this mock's own control plane (a redeliver loop, a reset…).

    "Own" is the world's base URL (scheme aside) and, on a loopback host, the port of the base URL
    when that is a loopback one too, and the port the server listens on (``--port``)."""
    try:
        target = parse(url)
    except ValueError:
        return False
    if not target.control_plane():
        return False
    base = parse(base_url)
    if target.origin == base.origin:
        return True
    own_ports = {listen_port, base.port} if is_loopback(base.host) else {listen_port}
    return is_loopback(target.host) and target.port in own_ports
