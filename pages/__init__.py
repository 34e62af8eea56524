"""Page objects: the only code that knows the UI's selectors."""

from pages.app import AppShell, ChatPage

__all__ = ["AppShell", "ChatPage"]
