"""meta provider."""
