"""`hotline create-agent --tenant T --email E --name N [--role admin]`: an agent or admin for a
real deployment, in the database of ``HOTLINE_DATABASE_URL`` (entry point ``hotline.commands``:
``create-agent = unifier.cli:create_agent``).

The password is read from standard input when it is not a terminal (one line:
``printf '%s\\n' "$PW" | hotline create-agent …``), else prompted for twice without echo. It is
never an argument: arguments are visible to every user of the machine (``ps``) and land in
shell histories.

Every ``hotline`` command loads this module to register the command, so the store and the
service are imported only when it runs.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from unifier.store.account_rows import AgentRow


def _password() -> str:
    if sys.stdin.isatty():
        entered: str = typer.prompt("password", hide_input=True, confirmation_prompt=True)
        return entered
    return sys.stdin.readline().rstrip("\r\n")


async def _create(dsn: str, tenant: str, email: str, name: str, role: str, pw: str) -> AgentRow:
    from unifier.service import accounts
    from unifier.store.engine import create_engine, migrate

    engine = create_engine(dsn)
    try:
        await migrate(engine)
        async with engine.begin() as conn:
            return await accounts.create_agent(conn, tenant, email, name, role, pw)
    finally:
        await engine.dispose()


def create_agent(
    tenant: Annotated[str, typer.Option(help="the tenant the agent works for")],
    email: Annotated[str, typer.Option(help="sign-in name, unique across tenants")],
    name: Annotated[str, typer.Option(help="shown to colleagues and in threads")],
    role: Annotated[str, typer.Option(help="agent or admin")] = "agent",
) -> None:
    """Create an agent (or an admin) who signs in at /login; the password comes from stdin."""
    from unifier.service.commands import CommandError
    from unifier.settings import UnifierSettings

    dsn = UnifierSettings().database_url
    try:
        row = asyncio.run(_create(dsn, tenant, email, name, role, _password()))
    except CommandError as exc:
        typer.echo(f"refused: {exc.detail}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"created {row.role} {row.email} ({row.agent_id}) of tenant {row.tenant}")
