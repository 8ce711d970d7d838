"""Proof under load and faults: open-loop load generator, delivery verifier, fault driver."""
