"""Slack Events API: pure verify -> parse -> normalize, and a thin HTTP edge."""
