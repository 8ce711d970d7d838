"""twilio provider."""
