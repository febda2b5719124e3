"""The whole system on one machine, without an AWS account (docs/architecture.md, "The local twin")."""
