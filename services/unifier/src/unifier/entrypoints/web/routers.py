"""The workspace's page routers, in the order they are matched (before the legacy page)."""

from __future__ import annotations

from fastapi import APIRouter

from unifier.entrypoints.web import (
    action_posts,
    actions,
    assignment,
    canned,
    contact,
    content,
    inbox,
    live,
    presence,
    reply_templates,
)

ROUTERS: list[APIRouter] = [
    live.router,
    inbox.router,
    actions.router,
    action_posts.router,
    canned.router,
    content.router,
    contact.router,
    reply_templates.router,
    presence.router,
    assignment.router,
]
