"""The workspace's page routers, in the order they are matched (before the legacy page)."""

from __future__ import annotations

from fastapi import APIRouter

from unifier.entrypoints.web import (
    action_posts,
    actions,
    assignment,
    canned,
    compose,
    contact,
    content,
    inbox,
    live,
    presence,
    reply_templates,
    thread,
)

ROUTERS: list[APIRouter] = [
    live.router,
    inbox.router,
    thread.router,
    compose.router,
    actions.router,
    action_posts.router,
    canned.router,
    content.router,
    contact.router,
    reply_templates.router,
    presence.router,
    assignment.router,
]
