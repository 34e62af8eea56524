"""Documents: upload, validation, text extraction, chunking and indexing."""
