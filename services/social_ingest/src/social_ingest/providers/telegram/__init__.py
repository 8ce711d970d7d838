"""telegram provider."""
