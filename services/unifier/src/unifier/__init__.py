"""Hotline unifier service."""
