"""Storage: rows and full-text search in SQLite (embedded) or PostgreSQL, and a directory
for blobs."""

from pathlib import Path

from web.storage.blobs import BlobStore
from web.storage.db import (
    INTEGRITY_ERRORS,
    STORAGE_ERRORS,
    Connection,
    Database,
    DatabaseError,
    Row,
)
from web.storage.postgres import PostgresDatabase
from web.storage.sqlite import SqliteDatabase

__all__ = [
    "INTEGRITY_ERRORS",
    "STORAGE_ERRORS",
    "BlobStore",
    "Connection",
    "Database",
    "DatabaseError",
    "PostgresDatabase",
    "Row",
    "SqliteDatabase",
    "open_database",
]


def open_database(url: str) -> Database:
    """`postgresql://…` (or `postgres://…`), else the path of a SQLite file."""
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresDatabase(url)
    return SqliteDatabase(Path(url))
