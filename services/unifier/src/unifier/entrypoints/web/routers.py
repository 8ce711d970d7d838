"""The workspace's page routers, in the order they are matched (before the legacy page)."""

from __future__ import annotations

from fastapi import APIRouter

from unifier.entrypoints.web import assignment, live, presence

ROUTERS: list[APIRouter] = [live.router, presence.router, assignment.router]
