"""The ``hotline.commands`` entry points (``rethread``, ``create-agent``) and
``python -m unifier.cli``: the tools live in ``unifier.entrypoints``."""

from unifier.entrypoints.accounts_cli import create_agent
from unifier.entrypoints.cli import app, rethread
from unifier.entrypoints.triage_cli import triage

__all__ = ["app", "create_agent", "rethread", "triage"]

if __name__ == "__main__":
    app()
