"""Reproducible identifiers: the same seed gives the same ids, tokens, QR payloads and codes."""

from __future__ import annotations

import base64
import random
import uuid
from collections.abc import Callable

PAIRING_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


class IdFactory:
    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def token(self, in_use: Callable[[str], bool] = lambda _: False) -> str:
        """TokenAccount / TokenInstance values: opaque strings in UUID form; one ``in_use`` is drawn again."""
        token = self.uuid()
        while in_use(token):
            token = self.uuid()
        return token

    def qr_payload(self) -> str:
        """WhatsApp multi-device QR content: ``2@<ref>,<noise-key>,<identity-key>,<adv-secret>``."""
        ref = self._b64(18)
        return f"2@{ref},{self._b64(32)},{self._b64(32)},{self._b64(32)}"

    def pairing_code(self) -> str:
        return "".join(self._rng.choice(PAIRING_ALPHABET) for _ in range(8))

    def message_id(self) -> str:
        return "3EB0" + f"{self._rng.getrandbits(64):016X}"

    def lid(self) -> str:
        """A hidden WhatsApp id: 15 digits (no leading zero) at ``@lid``."""
        return f"{10**14 + self._rng.randrange(9 * 10**14)}@lid"

    def digits(self, count: int) -> str:
        """``count`` digits without a leading zero (group ids, call ids…)."""
        return str(10 ** (count - 1) + self._rng.randrange(9 * 10 ** (count - 1)))

    def hex(self, count: int) -> str:
        return f"{self._rng.getrandbits(4 * count):0{count}X}"

    def integer(self, bits: int = 32) -> int:
        return self._rng.getrandbits(bits)

    def _b64(self, size: int) -> str:
        return base64.b64encode(self._rng.randbytes(size)).decode("ascii")
