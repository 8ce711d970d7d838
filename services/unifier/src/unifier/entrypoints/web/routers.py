"""The workspace's page routers, in the order they are matched (before the legacy page)."""

from __future__ import annotations

from fastapi import APIRouter

from unifier.entrypoints.web import compose, live, thread

ROUTERS: list[APIRouter] = [live.router, thread.router, compose.router]
