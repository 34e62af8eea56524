"""Answering questions: the OpenAI-compatible answerer and the offline one."""
