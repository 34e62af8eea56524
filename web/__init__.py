"""DocChat: chat with your documents."""
