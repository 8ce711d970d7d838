"""The workspace's page routers, in the order they are matched (before the legacy page)."""

from __future__ import annotations

from fastapi import APIRouter

from unifier.entrypoints.web import contact, live, reply_templates

ROUTERS: list[APIRouter] = [live.router, contact.router, reply_templates.router]
