"""Hypothesis strategies for RyzeAPI data (public path; they live in :mod:`mockryze.testing.strategies`)."""

from mockryze.testing.strategies import (
    brazilian_mobiles,
    events,
    from_schema,
    jids,
    phone_numbers,
    request_bodies,
    typed_numbers,
)

__all__ = ["brazilian_mobiles", "events", "from_schema", "jids", "phone_numbers", "request_bodies", "typed_numbers"]
