"""Faker provider for WhatsApp data (public path; it lives in :mod:`mockryze.testing.faker`)."""

from mockryze.testing.faker import WhatsAppProvider

__all__ = ["WhatsAppProvider"]
