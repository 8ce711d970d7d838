"""Hotline email_ingest service."""
