"""Every literal string RyzeAPI puts in a response body, in one place.

Clients branch on HTTP status + ``error.message``, so these texts are contract: change one only
when the reference changes. Each error is a pair (HTTP status, literal). Entries marked
``# inferred`` fill a GAP of the vendor docs (see ``contract.json`` for the full provenance).
"""

from __future__ import annotations

from typing import NamedTuple


class ErrorLiteral(NamedTuple):
    status: int
    message: str


# --- errors -----------------------------------------------------------------------------------
INVALID_BODY = ErrorLiteral(400, "Invalid request body")
INSTANCE_NAME_REQUIRED = ErrorLiteral(400, "Instance name is required")
AT_LEAST_ONE_SETTING = ErrorLiteral(400, "At least one setting must be provided")
NO_SAVED_SESSION = ErrorLiteral(400, "Instance has no saved session — call /connect first")
INVALID_PHONE_NUMBER = ErrorLiteral(400, "Invalid phone number")  # inferred
WEBHOOK_LIMIT = ErrorLiteral(400, "Maximum of 3 enabled webhooks per instance reached")  # inferred (GAP)


def websocket_not_enabled(instance: str) -> ErrorLiteral:
    """The docs print ``$Instance_Name``; the live text carries the real name (inferred)."""
    return ErrorLiteral(
        400,
        "WebSocket is not enabled for this instance. "
        f"Configure it first using POST /api/events/websocket/{instance}",
    )



INVALID_TOKEN = ErrorLiteral(401, "Invalid token")
MISSING_TOKEN = ErrorLiteral(401, "Missing token in header, Authorization header, or query parameter")  # /ws

TOKEN_INSTANCE_MISMATCH = ErrorLiteral(403, "Instance token does not match this instance")  # inferred
QUOTA_EXCEEDED = ErrorLiteral(403, "Account instance quota exceeded")

INSTANCE_NOT_FOUND = ErrorLiteral(404, "Instance not found")
WEBHOOK_NOT_FOUND = ErrorLiteral(404, "Webhook not found")  # inferred (the docs name no literal)
WEBSOCKET_NOT_CONFIGURED = ErrorLiteral(404, "WebSocket not configured for this instance")
ROUTE_NOT_FOUND = ErrorLiteral(404, "Route not found")  # inferred (the docs show no 404 body)

METHOD_NOT_ALLOWED = ErrorLiteral(405, "Method not allowed")  # inferred

INSTANCE_NAME_TAKEN = ErrorLiteral(409, "Instance name already exists")  # inferred
TOKEN_IN_USE = ErrorLiteral(409, "Token already in use")  # inferred

RATE_LIMITED = ErrorLiteral(429, "Rate limit exceeded. Try again later.")

INTERNAL_ERROR = ErrorLiteral(500, "Internal server error")  # inferred

# --- messages module --------------------------------------------------------------------------
NUMBER_REQUIRED = ErrorLiteral(400, "Number is required")
MESSAGE_REQUIRED = ErrorLiteral(400, "Message is required")  # inferred, after "Number is required"
INVALID_NUMBER = ErrorLiteral(400, "Invalid number format")  # inferred
NOT_ON_WHATSAPP = ErrorLiteral(400, "Number not registered on WhatsApp")  # inferred (docs: starts "Numbe…")
RECIPIENT_NOT_SUPPORTED = ErrorLiteral(400, "Recipient type not supported by this route")  # inferred
PARTICIPANT_REQUIRED = ErrorLiteral(400, "Participant is required for group reactions")  # inferred
MENTIONS_GROUP_ONLY = ErrorLiteral(400, "Mentions are only supported in group chats")  # inferred
GROUP_NOT_FOUND = ErrorLiteral(404, "Group not found")  # inferred
LOCATION_REQUIRED = ErrorLiteral(400, "Latitude and longitude are required")  # inferred (docs: starts "Latitu…")
INVALID_PIX_KEY_TYPE = ErrorLiteral(400, "Invalid pixKeyType: use CPF, CNPJ, EMAIL, PHONE or RANDOM")  # inferred
MESSAGE_NOT_FOUND = ErrorLiteral(404, "Message not found")  # documented on the chat module
NOT_CONNECTED = ErrorLiteral(503, "Instance is not connected to WhatsApp")


def invalid_body_detail(detail: str) -> ErrorLiteral:
    """The messages module appends the parser's text: ``Invalid request body: <detail>``."""
    return ErrorLiteral(400, f"Invalid request body: {detail}")


# --- control plane (mock-only; not RyzeAPI literals) -------------------------------------------
MOCK_NOTHING_PENDING = ErrorLiteral(409, "No QR code or pairing code is waiting to be scanned")
MOCK_ILLEGAL_STATE = ErrorLiteral(409, "The instance cannot move to that state from its current one")
MOCK_ACCOUNT_EXISTS = ErrorLiteral(409, "Account token already exists")
MOCK_DELIVERY_NOT_FOUND = ErrorLiteral(404, "Delivery not found")

# --- success messages -------------------------------------------------------------------------
INSTANCE_CREATED = "Instance created successfully"  # inferred
QR_CODE_GENERATED = "QR code generated"
PAIRING_CODE_GENERATED = "Pairing code generated"
ALREADY_CONNECTED = "Instance already connected"  # inferred
RECONNECT_INITIATED = "Reconnect initiated"
LOGGED_OUT = "Instance logged out"
DELETED = "Instance deleted"
SETTINGS_RETRIEVED = "Settings retrieved successfully"
SETTINGS_UPDATED = "Settings updated successfully"
PROXY_RETRIEVED = "Proxy configuration retrieved successfully"
PROXY_UPDATED = "Proxy configuration updated successfully"  # inferred
S3_UPDATED = "S3 configuration updated"
MESSAGE_SENT = "Message sent successfully"
REACTION_REMOVED = "Reaction removed successfully"
STATUS_SENT = "sent"
WEBHOOK_CONFIGURED = "Webhook configured successfully"  # inferred
WEBHOOKS_RETRIEVED = "Webhooks retrieved successfully"  # inferred
WEBHOOK_RETRIEVED = "Webhook retrieved successfully"  # inferred
WEBSOCKET_CONFIGURED = "WebSocket configured successfully"  # inferred
WEBSOCKET_RETRIEVED = "WebSocket configuration retrieved"


def contacts_sent(count: int) -> str:
    """Contact route with several vCards: ``3 contacts sent successfully in one message`` (documented pattern)."""
    return f"{count} contacts sent successfully in one message"


def instances_found(count: int) -> str:
    """``1 Instance found`` / ``<N> Instances found`` (``0 Instances found`` is inferred)."""
    return "1 Instance found" if count == 1 else f"{count} Instances found"


# --- business status codes --------------------------------------------------------------------
STATUS_QR = {"live": "qr_code_generated", "docs": "qr"}  # observed-live vs docs
STATUS_PAIRING = "pairing_code_generated"  # inferred
STATUS_CONNECTED = "connected"
STATUS_CONNECTING = "connecting"


# --- routing ----------------------------------------------------------------------------------
WEBSOCKET_UPGRADE_REQUIRED = ErrorLiteral(426, "This route needs a WebSocket upgrade")  # inferred: plain GET /ws/…


# --- the server -------------------------------------------------------------------------------
SERVER_SHUTTING_DOWN = ErrorLiteral(503, "Server is shutting down")  # inferred: a request in flight at SIGTERM

# --- request limits (the docs name none: both inferred) ---------------------------------------
REQUEST_TIMEOUT = ErrorLiteral(408, "Request timeout")  # inferred: the body did not arrive in time
BODY_TOO_LARGE = ErrorLiteral(413, "Request body too large")  # inferred: over --max-body-size


# --- newsletter and chatwoot modules ------------------------------------------------------------
NEWSLETTER_NAME_REQUIRED = ErrorLiteral(400, "The 'name' field is required")
NEWSLETTER_IDENTIFIER_REQUIRED = ErrorLiteral(
    400, "The 'identifier' query parameter is required (JID @newsletter or invite link/code)")
NEWSLETTER_IDENTIFIER_FIELD_REQUIRED = ErrorLiteral(
    400, "The 'identifier' field is required (JID @newsletter or invite link/code)")  # join: the body variant
NEWSLETTER_INVALID_IDENTIFIER = ErrorLiteral(
    400, "Invalid newsletter identifier (use JID @newsletter or invite link/code)")
NEWSLETTER_NOT_CONNECTED = ErrorLiteral(400, "Instance is not connected to WhatsApp")  # the module's own code: 400
NEWSLETTER_INFO_NOT_FOUND = ErrorLiteral(400, "newsletter not found or no metadata returned")
NEWSLETTER_JOIN_NOT_FOUND = ErrorLiteral(400, "newsletter not found")  # the join page lists it under 400
NEWSLETTER_NOT_FOUND = ErrorLiteral(404, "newsletter not found")  # the overview's 404: leave, not followed


def newsletter_follow_failed(reason: str) -> ErrorLiteral:
    """``failed to follow newsletter: <reason>`` (the documented pattern; the mock's reasons are inferred)."""
    return ErrorLiteral(500, f"failed to follow newsletter: {reason}")


NEWSLETTER_CREATED = "Newsletter created successfully"  # inferred (GAP)
NEWSLETTER_INFO = "Newsletter info retrieved"
NEWSLETTER_JOINED = "Successfully joined newsletter"  # inferred: the docs' own suggestion
NEWSLETTER_LEFT = "Successfully left newsletter"


def newsletters_found(count: int) -> str:
    """``<N> newsletter(s) found`` (inferred: the docs' suggestion, printed as is)."""
    return f"{count} newsletter(s) found"


CHATWOOT_INSTANCE_NOT_FOUND = ErrorLiteral(404, "instance not found")  # lower-case, as the module prints it
CHATWOOT_NOT_CONFIGURED = ErrorLiteral(404, "no chatwoot integration for this instance")
CHATWOOT_NOTHING_TO_DELETE = ErrorLiteral(404, "no chatwoot integration to delete")
CHATWOOT_ACTIVATED = "chatwoot integration activated"
CHATWOOT_DEACTIVATED = "chatwoot integration deactivated"


def chatwoot_invalid_body(detail: str) -> ErrorLiteral:
    """``invalid body: <detail>`` (lower-case; the detail is the mock's own validator text)."""
    return ErrorLiteral(400, f"invalid body: {detail}")


MOCK_NEWSLETTER_EXISTS = ErrorLiteral(409, "The instance already knows a newsletter with that JID or invite code")
MOCK_NEWSLETTER_NOT_FOLLOWED = ErrorLiteral(409, "The instance neither owns nor follows that newsletter")
CHATWOOT_GATEWAY_OFF = ErrorLiteral(503, "integration gateway not configured")  # set, delete
CHATWOOT_GATEWAY_OFF_HINTED = ErrorLiteral(
    503, "integration gateway not configured (set BRIDGE_URL and BRIDGE_TOKEN)")  # list prints the hint


def chatwoot_refused(answer: str, base_url: str, account_id: int, detail: str) -> ErrorLiteral:
    """What ``/api/chatwoot/set`` answers when the (simulated) Chatwoot server refuses; the raw cause follows
    ``Detail:``. The ``invalid`` text's middle part is a GAP of the docs (inferred)."""
    return {
        "account_not_found": ErrorLiteral(400, f"Chatwoot account or endpoint not found — verify chatwootBaseUrl "
                                               f"({base_url}) and chatwootAccountId ({account_id}). Detail: {detail}"),
        "invalid": ErrorLiteral(400, f"Chatwoot rejected the request as invalid. Detail: {detail}"),
        "token_rejected": ErrorLiteral(401, "Chatwoot rejected the API token — verify chatwootApiToken. "
                                            f"Detail: {detail}"),
        "forbidden": ErrorLiteral(403, f"Chatwoot denied the request — verify the API token has admin scope on account "
                                       f"{account_id}. Detail: {detail}"),
    }[answer]

