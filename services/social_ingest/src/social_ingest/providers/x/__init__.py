"""x provider."""
