"""Agents required per interval: Erlang C for contacts that wait (phone, chat), Erlang A where
callers' patience is known, a workload model for email."""
