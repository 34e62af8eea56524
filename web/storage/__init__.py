"""Embedded storage: SQLite for rows and full-text search, a directory for blobs."""

from web.storage.blobs import BlobStore
from web.storage.db import Database

__all__ = ["BlobStore", "Database"]
