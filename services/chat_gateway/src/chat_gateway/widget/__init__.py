"""The web chat widget: pure verify -> parse -> normalize, a socket hub, and a thin edge."""
