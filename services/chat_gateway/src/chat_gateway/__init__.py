"""Hotline chat_gateway service."""
