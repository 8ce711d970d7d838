"""Pure identity and threading rules: no I/O; every decision = rule + evidence + version."""
