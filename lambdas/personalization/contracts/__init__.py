"""Contracts: what the functions, the CDK stack and the local stack agree on (routes, rules, limits)."""
