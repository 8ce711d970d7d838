"""The unifier's store: SQLAlchemy 2 Core over SQLite (WAL, default) or PostgreSQL."""
