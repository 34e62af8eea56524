"""Chat: sessions, messages, and the jobs that write answers."""
