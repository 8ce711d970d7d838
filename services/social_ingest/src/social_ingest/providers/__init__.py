"""providers provider."""
