"""A Faker provider for WhatsApp data, for integrators' own tests.

    from faker import Faker
    from mockryze.testing.faker import WhatsAppProvider

    fake = Faker("pt_BR")
    fake.add_provider(WhatsAppProvider)
    Faker.seed(7)                      # Faker's own seeding makes every value reproducible
    fake.whatsapp_number()             # '5511987654321' (a Brazilian mobile for pt_BR)
    fake.jid(), fake.group_jid(), fake.message_id(), fake.push_name(), fake.pairing_code()

Numbers follow the generator's locale (country code and mobile shape); other locales fall back
to Brazil, RyzeAPI's home market.
"""

from __future__ import annotations

from faker.providers import BaseProvider

from mockryze.core.ids import PAIRING_ALPHABET

# country code, national mobile prefix pattern ('#' = any digit, '%' = 1-9), per Faker locale
MOBILE_FORMATS: dict[str, tuple[str, str]] = {
    "pt_BR": ("55", "%%9^#######"),  # DDD + the 9th digit + a mobile's 6-9 + 7 digits
    "pt_PT": ("351", "9########"),
    "es_ES": ("34", "6########"),
    "es_MX": ("52", "1%#########"),
    "es_AR": ("54", "9%#########"),
    "en_US": ("1", "%##%######"),
    "en_GB": ("44", "7#########"),
    "de_DE": ("49", "15#########"),
    "fr_FR": ("33", "6########"),
    "it_IT": ("39", "3#########"),
    "hi_IN": ("91", "9#########"),
    "id_ID": ("62", "8##########"),
}
DEFAULT_LOCALE = "pt_BR"


class WhatsAppProvider(BaseProvider):
    def _locale(self) -> str:
        """The locale of the generator this provider was added to (its built-in providers know it)."""
        langs = [str(p.__lang__) for p in self.generator.get_providers() if getattr(p, "__lang__", None)]
        locale = max(set(langs), key=langs.count) if langs else DEFAULT_LOCALE  # unlocalised ones say en_US
        return locale if locale in MOBILE_FORMATS else DEFAULT_LOCALE

    def whatsapp_number(self) -> str:
        """A mobile number in international format, digits only, for the generator's locale."""
        country, pattern = MOBILE_FORMATS[self._locale()]
        digits = "".join(str(self.random_int(6, 9)) if c == "^" else c for c in pattern)
        return country + self.numerify(digits)

    def jid(self) -> str:
        return f"{self.whatsapp_number()}@s.whatsapp.net"

    def lid_jid(self) -> str:
        return f"{self.random_int(10**14, 10**15 - 1)}@lid"

    def group_jid(self) -> str:
        return f"120363{self.random_int(10**11, 10**12 - 1)}@g.us"

    def newsletter_jid(self) -> str:
        return f"120363{self.random_int(10**11, 10**12 - 1)}@newsletter"

    def message_id(self) -> str:
        """A WhatsApp-web-like message id: ``3EB0`` + 16 upper-case hex characters."""
        return "3EB0" + "".join(self.random_choices("0123456789ABCDEF", length=16))

    def push_name(self) -> str:
        """The display name a contact chose (first name, sometimes with a last name)."""
        first = self.generator.first_name()
        return f"{first} {self.generator.last_name()}" if self.generator.random.random() < 0.5 else first

    def pairing_code(self) -> str:
        """An 8-character code as typed under Linked devices → Link with phone number."""
        return "".join(self.random_choices(PAIRING_ALPHABET, length=8))
