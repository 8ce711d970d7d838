"""The ``hotline.commands`` entry point (``rethread = unifier.cli:rethread``) and
``python -m unifier.cli``: the tools live in ``unifier.entrypoints.cli``."""

from unifier.entrypoints.cli import app, rethread

__all__ = ["app", "rethread"]

if __name__ == "__main__":
    app()
