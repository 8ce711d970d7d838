"""Hotline's tools beside the product: load generator and delivery verifier (`load`), the local
dev stack, its broker, PostgreSQL and provider stand-ins (`devstack`), and their commands."""
