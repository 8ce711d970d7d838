"""Vonage Voice API event webhooks (signed JWT callbacks)."""
