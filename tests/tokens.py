"""The six kinds of token the isolation matrices try on every route, and who holds each."""

from __future__ import annotations

from dataclasses import dataclass

from mockryze.testing.api import MockRyze

UNKNOWN_TOKEN = "not-a-token-anyone-has"
KINDS = ("no_token", "unknown_token", "sibling_instance_token", "other_account_token",
         "owner_account_token", "owner_instance_token")


@dataclass
class TokenWorld:
    """A target instance, a sibling in the same account, and another account with an instance of its own."""

    ryze: MockRyze
    owner: str
    target: str
    sibling: str
    other_account: str
    elsewhere: str

    def token(self, kind: str) -> str | None:
        return {
            "no_token": None, "unknown_token": UNKNOWN_TOKEN, "sibling_instance_token": self.sibling,
            "other_account_token": self.other_account, "owner_account_token": self.owner,
            "owner_instance_token": self.target,
        }[kind]
