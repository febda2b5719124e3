"""The CDK app: constructs and the stack that deploy the system (docs/architecture.md)."""
