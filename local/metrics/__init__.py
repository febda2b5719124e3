"""The twin's CloudWatch metrics (docs/architecture.md §9, "Metrics").

- `emf`: the embedded metric format records each function prints, extracted as CloudWatch Logs does;
- `publisher`: a bounded queue and a flusher thread that batches them into PutMetricData, off the
  request path;
- `figures`: the figures the services publish themselves (AWS/Lambda, AWS/ApiGateway, AWS/SQS,
  AWS/Firehose, AWS/Events);
- `store` and `expressions`: what moto's CloudWatch lacks (percentiles, metric math, SEARCH, bounded
  memory), installed behind moto's own CloudWatch API (`moto_backend`).
"""
