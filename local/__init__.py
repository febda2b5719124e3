"""The whole system on one machine, without an AWS account (DESIGN section 9)."""
