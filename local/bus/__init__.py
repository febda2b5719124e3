"""The twin's EventBridge and SQS: a local bus and local queues in a process of their own.

moto's SQS costs more per call the more messages wait in a queue, and moto's EventBridge builds a
JSONPath parser for every event it delivers, so they capped `POST /events` at about 10 requests a
second (docs/architecture.md §9, local/bus/README.md). This package replaces those two services
with ones whose cost per call is constant, on the same wire protocols; SSM stays on moto, behind
the same endpoint. `python -m local.bus` runs it alone.
"""
