"""The workspace's page routers, in the order they are matched."""

from __future__ import annotations

from fastapi import APIRouter

from unifier.entrypoints.web import admin, live, sign_in

ROUTERS: list[APIRouter] = [live.router, sign_in.router, admin.router]
