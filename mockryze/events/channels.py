"""How events leave a world: webhook deliveries and the WebSocket hub, both listening to its bus."""

from __future__ import annotations

from dataclasses import dataclass

from mockryze.core.world import World
from mockryze.events.delivery import Dispatcher, WebhookTransport
from mockryze.events.wshub import Hub


@dataclass(frozen=True)
class Channels:
    delivery: Dispatcher
    hub: Hub

    @classmethod
    def attach(cls, world: World, webhook_transport: WebhookTransport | None = None) -> Channels:
        """Subscribe a new dispatcher and hub to ``world``'s bus; the journal empties on reset, and the
        sockets close on reset and when their instance is deleted.

        ``webhook_transport`` takes every webhook delivery instead of the network (tests)."""
        channels = cls(Dispatcher(world, webhook_transport), Hub(world.settings.websocket_queue_size, world.stats))
        world.bus.subscribe(channels.delivery.on_event)
        world.bus.subscribe(channels.hub.on_event)
        world.on_reset(channels.delivery.clear)
        world.on_reset(channels.hub.close_every)
        world.on_forget(lambda instance: channels.hub.close_instance((instance.account.token, instance.name)))
        return channels
