"""messenger provider."""
