"""The workspace tests' shared fixture: customers writing in through the real edges."""

from tests.e2e.workspace.customers import customers

__all__ = ["customers"]
