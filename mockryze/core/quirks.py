"""Where the live service and its docs differ, which one an account sees.

Today one switch, ``--profile live|docs``, decides every difference at once. Event builders ask
:func:`event_layout` instead of reading the profile themselves, so each difference can become a named
quirk of its own (settable per account) without touching them.
"""

from __future__ import annotations

from typing import Literal

from mockryze.core.world import Account, World

Layout = Literal["live", "docs"]


def event_layout(world: World, account: Account, event: str) -> Layout:
    """The payload layout ``event`` (``message.exchange``, ``label.update``, ``group.flow``…) takes for
    ``account``: ``live`` as observed on the service, ``docs`` as the vendor's event catalog prints it."""
    return "docs" if world.settings.profile == "docs" else "live"
