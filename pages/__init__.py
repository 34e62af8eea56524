"""Page objects: the only code that knows the UI's selectors."""

from pages.app_shell import AppShell
from pages.chat_page import ChatPage

__all__ = ["AppShell", "ChatPage"]
