"""whatsapp provider."""
