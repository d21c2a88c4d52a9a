"""The registry: every RyzeAPI module the mock emulates, one line each.

A module is a folder with ``routes.py`` (its ``Endpoint`` rows) and, when it has mock-only verbs,
``verbs.py``; the app, the OpenAPI document, the contract and token matrices, the control plane and
the Python API all read this table.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from mockryze.chat import message_routes
from mockryze.chat import routes as chat_routes
from mockryze.chat import verbs as chat_verbs
from mockryze.chatwoot import routes as chatwoot_routes
from mockryze.chatwoot import verbs as chatwoot_verbs
from mockryze.communities import routes as communities_routes
from mockryze.communities import verbs as communities_verbs
from mockryze.events import routes as events_routes
from mockryze.events import verbs as events_verbs
from mockryze.groups import routes as groups_routes
from mockryze.groups import verbs as groups_verbs
from mockryze.http import control
from mockryze.http.routing import Endpoint
from mockryze.http.verbs import Verb
from mockryze.instance import routes as instance_routes
from mockryze.instance import verbs as instance_verbs
from mockryze.messages import routes as messages_routes
from mockryze.messages import verbs as messages_verbs
from mockryze.newsletter import routes as newsletter_routes
from mockryze.newsletter import verbs as newsletter_verbs
from mockryze.profile import routes as profile_routes
from mockryze.profile import verbs as profile_verbs
from mockryze.scenarios import verbs as scenario_verbs


@dataclass(frozen=True)
class Module:
    name: str  # the OpenAPI tag of its routes
    description: str
    endpoints: tuple[Endpoint, ...]  # the emulated RyzeAPI routes
    verbs: tuple[Verb, ...] = ()  # what only a mock does, under /__mock__
    receivers: tuple[Endpoint, ...] = ()  # mock-only routes that are not verbs (the capture inbox)

    def __post_init__(self) -> None:  # the registry names the module: its rows carry that name as their tag
        object.__setattr__(self, "endpoints", tuple(replace(e, tag=self.name) for e in self.endpoints))


MODULES: tuple[Module, ...] = (
    Module("instance", "RyzeAPI instance module (/api/instance/*)", instance_routes.ENDPOINTS, instance_verbs.VERBS),
    Module("messages", "RyzeAPI messages module: the send routes (/api/message/*)", messages_routes.ENDPOINTS,
           messages_verbs.VERBS),
    Module("events", "RyzeAPI events module: webhooks and the WebSocket (/api/events/*)", events_routes.ENDPOINTS,
           events_verbs.VERBS, events_verbs.RECEIVERS),
    Module("profile", "RyzeAPI profile module (/api/profile/*)", profile_routes.ENDPOINTS, profile_verbs.VERBS),
    Module("chat", "RyzeAPI chat module (/api/chat/*): chat state and message actions",
           chat_routes.ENDPOINTS + message_routes.ENDPOINTS, chat_verbs.VERBS),
    Module("groups", "RyzeAPI groups module (/api/group/*)", groups_routes.ENDPOINTS, groups_verbs.VERBS),
    Module("communities", "RyzeAPI communities module (/api/community/*)", communities_routes.ENDPOINTS,
           communities_verbs.VERBS),
    Module("newsletter", "RyzeAPI newsletter module (/api/newsletter/*)", newsletter_routes.ENDPOINTS,
           newsletter_verbs.VERBS),
    Module("chatwoot", "RyzeAPI chatwoot module (/api/chatwoot/*)", chatwoot_routes.ENDPOINTS, chatwoot_verbs.VERBS),
    # verbs only: scenarios and named faults act on the whole emulated API, so they have no route of their own
    Module("scenarios", "mockryze scenarios and named faults (control plane only)", (), scenario_verbs.VERBS),
)
MOCK_TAG = ("mock", "mockryze control plane: what only a mock does (no token needed)")

VERBS: dict[str, Verb] = {verb.name: verb for verb in control.VERBS + tuple(v for m in MODULES for v in m.verbs)}
EMULATED: tuple[Endpoint, ...] = tuple(e for m in MODULES for e in m.endpoints)
CONTROL: tuple[Endpoint, ...] = (*(verb.endpoint() for verb in VERBS.values()),
                                 *(e for m in MODULES for e in m.receivers))
ALL_ENDPOINTS: tuple[Endpoint, ...] = EMULATED + CONTROL
