"""The event sinks: SQS batches of bus events delivered to a service, failures reported per record."""
