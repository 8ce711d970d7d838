"""Mandrill inbound: batched ``mandrill_events`` (a JSON array form field), signed with
``X-Mandrill-Signature``."""
