"""The chat tests' documents, questions and expected answers, and their usual start."""

from e2e.harness.content.file_factory import FileFactory
from pages import AppShell, ChatPage

ZEMBLA = (
    "Zembla is a distant northern land. The capital of Zembla is Onhava, "
    "a city of glass towers by the sea. Its king was Charles the Beloved."
)
HARBOUR = "Onhava's harbour ships amber and glass to the southern kingdoms every spring."
SOUP = "Leek soup needs leeks, potatoes and butter. Simmer it for forty minutes."
QUESTION = "What is the capital of Zembla?"
# What the mock's default reply says when given ZEMBLA as the only source.
ZEMBLA_QUOTE = "According to [1]: Zembla is a distant northern land."
# And when given no sources at all (a chat with no documents).
NOTHING_FOUND = "I could not find anything about that in your documents."
# What a failure worth retrying says.
TRY_AGAIN = "The model service is having problems. Try again."
# What a change the database refuses (read-only) says.
SAVE_REFUSED = (
    "The server could not save your change because its database is read-only. Nothing was "
    "saved. Try again later, or tell whoever runs this DocChat."
)


def chat_with_documents(app: AppShell, files: FileFactory, **documents: str) -> ChatPage:
    """Upload text documents (name → text) and open a new chat."""
    app.documents.upload_and_wait(*(files.text(name, text) for name, text in documents.items()))
    return app.new_chat()
