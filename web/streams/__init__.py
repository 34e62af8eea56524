"""Answer streams: a numbered event log per message, replayed and tailed over SSE."""
