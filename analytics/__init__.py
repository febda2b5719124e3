"""Storefront analytics: the data the Firehose sink writes and the named queries over it (docs/analytics.md).

- `layout`: the line format (one bus `detail` per line) and the key layout of the delivered objects,
- `schema`: the Glue table's columns and partition projection, and the deployment's names,
- `queries`: the named queries, written once, and `dialect`: what differs between Athena and DuckDB,
- `local_engine` (DuckDB over the local files) and `athena` (a deployment's workgroup) run them,
- `python -m analytics list | sql NAME | query NAME`.

Imports the contracts only (no handler code); the CDK stack and the local stack import this package.
"""
