"""The ``hotline.commands`` entry points (``rethread``, ``create-agent``, ``sla recompute``) and
``python -m unifier.cli``: the tools live in ``unifier.entrypoints``."""

from unifier.entrypoints.accounts_cli import create_agent
from unifier.entrypoints.cli import app, rethread, sla_app
from unifier.entrypoints.triage_cli import triage

__all__ = ["app", "create_agent", "rethread", "sla_app", "triage"]

if __name__ == "__main__":
    app()
