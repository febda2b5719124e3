"""The use cases: plain functions that know nothing of API Gateway; adapters come in through ports."""
