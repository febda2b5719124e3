"""Fails at import, as a handler with a bad setting does."""

raise RuntimeError("missing setting: EXAMPLE")
