"""Arrivals per interval, their forecast beside a seasonal-naive baseline, and its backtest.

Pure numpy apart from ``model`` (the one module that imports statsforecast, lazily: its
import takes seconds)."""
