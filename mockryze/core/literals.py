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

# --- quirks (control plane) -------------------------------------------------------------------
MOCK_UNKNOWN_QUIRK = ErrorLiteral(400, "Unknown quirk or quirk value (GET /__mock__/quirks lists them)")
MOCK_ACCOUNT_NOT_FOUND = ErrorLiteral(404, "Account not found")

# --- profile module ---------------------------------------------------------------------------
# The profile pages print "Instance is not connected to WhatsApp" under 400 (getPrivacy), not 503.
PROFILE_NOT_CONNECTED = ErrorLiteral(400, NOT_CONNECTED.message)
PROFILE_FIELD_REQUIRED = ErrorLiteral(  # inferred (the docs: "at least one field required", no literal)
    400, "At least one of profilePicture, profileName or profileStatus is required")
PRIVACY_SETTING_REQUIRED = AT_LEAST_ONE_SETTING  # inferred: the instance settings literal, by analogy
PROFILE_RETRIEVED = "Profile retrieved successfully"  # inferred (GAP)
PROFILE_UPDATED = "Profile updated successfully"  # inferred (GAP)
PRIVACY_RETRIEVED = "Privacy settings retrieved successfully"
PRIVACY_UPDATED = "Privacy settings updated successfully"  # inferred (GAP), after the read's literal
# --- chat module: message actions (getMessage, history, base64, status, poll, forward, edit, delete) ---
MESSAGE_ID_REQUIRED_GET = ErrorLiteral(400, "Message ID is required (use ?messageId=<message-id>)")  # getMessage
MESSAGE_ID_QUERY_REQUIRED = ErrorLiteral(400, "messageId query parameter is required")  # base64, status, poll
MESSAGE_ID_REQUIRED = ErrorLiteral(400, "messageId is required")  # forward, edit (docs print "… or to is required")
TO_REQUIRED = ErrorLiteral(400, "to is required")  # forward (split from the printed "either/or" text)
CONTENT_REQUIRED = ErrorLiteral(400, "content is required")  # edit
MESSAGE_ID_REQUIRED_DELETE = ErrorLiteral(400, "MessageID is required")  # delete (capitalisation as printed)
EDIT_TOO_OLD = ErrorLiteral(400, "message too old to edit")  # inferred: the docs' text contains "too old to edit"
EDIT_NOT_OWN_TEXT = ErrorLiteral(400, "can only edit text messages sent by this instance")  # inferred: "can only edit"
INVALID_FROM_DATE = ErrorLiteral(400, "invalid 'from' date format. Use ISO 8601 format (e.g., '2026-02-16T18:32:39Z')")
INVALID_TO_DATE = ErrorLiteral(400, "invalid 'to' date format. Use ISO 8601 format (e.g., '2026-02-16T18:32:39Z')")
NO_MEDIA = ErrorLiteral(404, "Message not found or no media available")
MESSAGE_OTHER_INSTANCE = ErrorLiteral(404, "Message does not belong to this instance")
POLL_NOT_FOUND = ErrorLiteral(404, "Poll not found")
MESSAGE_NOT_FOUND_LOWER = ErrorLiteral(404, "message not found")  # delete (lower-case as printed)


def unsupported_forward(kind: str) -> ErrorLiteral:
    """Forward of a reaction, poll or interactive message: ``unsupported message type for forwarding: <type>``."""
    return ErrorLiteral(500, f"unsupported message type for forwarding: {kind}")


MESSAGE_FOUND = "Message found"
STATUS_FOUND = "found"
HISTORY_RETRIEVED = "Messages retrieved successfully"  # inferred (GAP)
BASE64_RETRIEVED = "Base64 retrieved successfully"
MESSAGE_STATUS_RETRIEVED = "Message status retrieved successfully"
POLL_VOTES_RETRIEVED = "Poll votes retrieved successfully"
MESSAGE_FORWARDED = "Message forwarded successfully"
MESSAGE_EDITED = "Message edited successfully"
DELETED_FOR_EVERYONE = "Message deleted for everyone"  # docs cut off after "Message deleted for ev"
DELETED_FOR_ME = "Message deleted for me"  # inferred (GAP)
# --- chat module: chat state (contacts, labels, archive/pin/mute/block, presence) ---------------
TAG_NAME_REQUIRED = ErrorLiteral(400, "Tag name is required")
TAG_ID_REQUIRED = ErrorLiteral(400, "tagId is required")
TAG_ID_QUERY_REQUIRED = ErrorLiteral(400, "tagId query parameter is required")
NUMBER_QUERY_REQUIRED = ErrorLiteral(400, "number query parameter is required")
TAG_NOT_FOUND = ErrorLiteral(404, "Tag not found")
SENDER_REQUIRED_IN_GROUPS = ErrorLiteral(400, "sender is required for group messages")
NUMBER_OR_MESSAGE_ID_REQUIRED = ErrorLiteral(400, "Either number or messageId is required")
INVALID_DURATION = ErrorLiteral(
    400, "Invalid duration: use 8h, 8 hours, 1w, 7d, 1 week, always, forever or permanent")  # suffix inferred
STATE_REQUIRED = ErrorLiteral(400, "State is required. Use 'typing', 'recording', or 'pause'")
INVALID_STATE = ErrorLiteral(400, "Invalid state. Use 'typing', 'recording', or 'pause'")
PIN_LIMIT = ErrorLiteral(400, "You can only pin up to 3 chats")  # inferred: WhatsApp's error, text undocumented
GROUPS_NOT_BLOCKABLE = ErrorLiteral(400, "Only individual contacts can be blocked")  # inferred
CONTACTS_RETRIEVED = "Contacts retrieved successfully"  # inferred
CONTACT_RETRIEVED = "Contact retrieved successfully"  # inferred
CHATS_BY_LABEL_RETRIEVED = "Chats retrieved successfully"  # inferred
TAGS_RETRIEVED = "Tags retrieved successfully"
TAG_CREATED = "Tag created successfully"
TAG_DELETED = "Tag deleted successfully"
TAG_ASSIGNED = "Tag assigned successfully"
TAG_REMOVED = "Tag removed successfully"
CHAT_ARCHIVED = {True: "Chat archived successfully", False: "Chat unarchived successfully"}
MESSAGE_MARKED_READ = "Message marked as read successfully"  # completes the cut-off "Message marked as read su…"
CHAT_MARKED = {True: "Chat marked as read successfully", False: "Chat marked as unread successfully"}
CHAT_PINNED = {True: "Chat pinned successfully", False: "Chat unpinned successfully"}
FAVORITE_SET = {  # inferred (GAP), by (type, favorite)
    ("chat", True): "Chat added to favorites successfully", ("chat", False): "Chat removed from favorites successfully",
    ("message", True): "Message added to favorites successfully",
    ("message", False): "Message removed from favorites successfully",
}
CHAT_MUTED_FOREVER = "Chat muted permanently"
CHAT_MUTED_8H = "Chat muted for 8 hours"
CHAT_MUTED_1W = "Chat muted for 1 week"
CHAT_UNMUTED = "Chat notifications unmuted successfully"
CONTACT_BLOCKED = {True: "Contact blocked successfully", False: "Contact unblocked successfully"}  # unblock: inferred
PRESENCE_SENT = "Presence sent successfully"  # inferred (GAP)
CHAT_DELETED = {False: "Chat deleted successfully", True: "Chat deleted successfully (including media)"}

# --- groups and communities modules -----------------------------------------------------------
GROUP_NOT_CONNECTED = ErrorLiteral(400, NOT_CONNECTED.message)  # communities: documented 400
IDENTIFIER_REQUIRED = ErrorLiteral(400, "Identifier is required")
GROUP_NOT_MEMBER = ErrorLiteral(404, "Group not found or you are not a member of this group")
INVALID_INVITE = ErrorLiteral(400, "Invalid invite link or code")
INVITE_REVOKED = ErrorLiteral(400, "Invite link has been revoked or expired")
JOIN_NOT_ALLOWED = ErrorLiteral(403, "Not allowed to join this group")
RESET_NOT_ADMIN = ErrorLiteral(403, "Not authorized to reset group invite link (must be admin)")
REQUESTS_NOT_ADMIN = ErrorLiteral(403, "Not authorized to view group requests (must be admin)")
LEAVE_NOT_ALLOWED = ErrorLiteral(403, "Not allowed to leave this group")
GROUP_NAME_REQUIRED = ErrorLiteral(400, "Group name is required")  # inferred
GROUP_PARTICIPANTS_REQUIRED = ErrorLiteral(400, "Participants are required")  # inferred
GROUP_UPDATE_EMPTY = ErrorLiteral(400, "At least one field to update must be provided")  # inferred
PARTICIPANTS_NOT_ADMIN = ErrorLiteral(403, "Not authorized to manage group participants (must be admin)")  # inferred
PARTICIPANTS_NOT_SUPER_ADMIN = ErrorLiteral(
    403, "Not authorized to promote or demote participants (must be super admin)")  # inferred
UPDATE_NOT_ADMIN = ErrorLiteral(403, "Not authorized to update group info (must be admin)")  # inferred
MENTION_NOT_PARTICIPANT = ErrorLiteral(400, "Mentioned number is not a participant of this group")  # inferred
ADMINS_ONLY_SEND = ErrorLiteral(403, "Only admins can send messages to this group")  # inferred
COMMUNITY_JID_REQUIRED = ErrorLiteral(400, "community jid is required")
GROUP_JID_REQUIRED = ErrorLiteral(400, "group jid is required")
COMMUNITY_QUERY_REQUIRED = ErrorLiteral(400, "communityJid query parameter is required")
COMMUNITY_NAME_REQUIRED = ErrorLiteral(400, "Community name is required")  # inferred
COMMUNITY_NAME_TOO_LONG = ErrorLiteral(400, "Community name must be at most 25 characters")  # inferred
COMMUNITY_NOT_FOUND = GROUP_NOT_MEMBER  # inferred: a community the instance is not in
# Success messages.
GROUP_CREATED = "Group created successfully"  # inferred
GROUP_JOINED = "Successfully joined group"  # docs: starts "Successfully j…"
GROUP_JOIN_REQUESTED = "Join request sent, waiting for admin approval"  # inferred
GROUP_LINK_RESET = "Group invite link reset successfully"
GROUP_LEFT = "Successfully left the group"
GROUP_INFO_RETRIEVED = "Group info retrieved successfully"  # inferred
GROUP_PARTICIPANTS_UPDATED = "Participants updated"  # inferred
COMMUNITY_CREATED = "Community created successfully"  # inferred


def community_jid_unparsable(reason: str) -> ErrorLiteral:
    """``error parse community jid: <reason>``: documented as a 500; the mock answers 400 (bad input is never a 5xx)."""
    return ErrorLiteral(400, f"error parse community jid: {reason}")


def invalid_community_jid(reason: str) -> ErrorLiteral:
    return ErrorLiteral(400, f"invalid community JID: {reason}")


def groups_found(count: int) -> str:
    return f"{count} group(s) found"  # inferred


def pending_requests_found(count: int) -> str:
    return f"{count} pending requests found"


def group_updated(changed: list[str]) -> str:
    return "Group updated: " + (", ".join(changed) if changed else "nothing changed")  # inferred


def linked_groups(done: int, asked: int) -> str:
    return f"Linked {done} of {asked} groups to community"


def unlinked_groups(done: int, asked: int) -> str:
    return f"Unlinked {done} of {asked} groups from community"


def subgroups_found(count: int) -> str:
    return f"{count} subgroup(s) found"

# --- newsletter and chatwoot modules ------------------------------------------------------------
NEWSLETTER_NAME_REQUIRED = ErrorLiteral(400, "The 'name' field is required")
NEWSLETTER_IDENTIFIER_REQUIRED = ErrorLiteral(
    400, "The 'identifier' query parameter is required (JID @newsletter or invite link/code)")
NEWSLETTER_IDENTIFIER_FIELD_REQUIRED = ErrorLiteral(
    400, "The 'identifier' field is required (JID @newsletter or invite link/code)")  # join: the body variant
NEWSLETTER_INVALID_IDENTIFIER = ErrorLiteral(
    400, "Invalid newsletter identifier (use JID @newsletter or invite link/code)")
NEWSLETTER_NOT_CONNECTED = ErrorLiteral(400, NOT_CONNECTED.message)  # the module's own code: 400
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


# --- scenarios and faults (control plane; mock-only) -------------------------------------------
MOCK_FAULT_NOT_FOUND = ErrorLiteral(404, "Fault not found")
MOCK_FAULT_INJECTED = "Fault injected"
MOCK_FAULT_REMOVED = "Fault removed"
MOCK_FAULTS_CLEARED = "Faults cleared"
MOCK_SCENARIO_LOADED = "Scenario loaded"


# --- persistence (--state): webhook deliveries ---------------------------------------------------
# The journaled reason of a delivery whose POST was under way when the server stopped (mock-only).
DELIVERY_NOT_RESENT = ("not resent: the server stopped while this delivery was being sent, so whether the receiver "
                       "got it is unknown; redeliver it from the journal if it did not")
