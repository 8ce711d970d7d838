"""Channel accounts as the edges see them: which tenant a provider account routes to, its
secrets (up to two valid values each, for rotation) and settings, kept current without a
restart (``registry``: the in-memory view; the feed that fills it follows the compacted
``hotline.channel-accounts.v1`` topic the unifier publishes every change to)."""

from hotline.accounts.registry import Account, AccountRegistry, Unknown

__all__ = ["Account", "AccountRegistry", "Unknown"]
