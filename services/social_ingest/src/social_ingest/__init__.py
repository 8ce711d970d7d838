"""Hotline social_ingest service."""
