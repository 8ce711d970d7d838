"""The workspace's page routers, in the order they are matched."""

from __future__ import annotations

from fastapi import APIRouter

from unifier.entrypoints.web import (
    action_posts,
    actions,
    admin,
    assignment,
    call_items,
    canned,
    compose,
    contact,
    content,
    inbox,
    live,
    presence,
    queues,
    reply_templates,
    report_page,
    sign_in,
    survey_page,
    thread,
)

ROUTERS: list[APIRouter] = [
    sign_in.router,
    report_page.router,
    admin.router,
    queues.router,
    live.router,
    inbox.router,
    thread.router,
    compose.router,
    actions.router,
    action_posts.router,
    canned.router,
    content.router,
    call_items.router,
    contact.router,
    reply_templates.router,
    presence.router,
    assignment.router,
    survey_page.router,
]
