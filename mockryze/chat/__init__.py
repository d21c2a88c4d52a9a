"""RyzeAPI chat module (/api/chat/*)."""
