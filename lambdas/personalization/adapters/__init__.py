"""Adapters: AWS clients, the SSM configuration, Personalize runtime, the event bus, the sinks."""
