"""The whole system on one machine, without an AWS account (docs/architecture.md §9)."""

ACCOUNT_ID = "123456789012"
"""The twin's one AWS account: moto's default, so the ARNs of moto, the emulator and the local
Lambda runtime name the same account."""
