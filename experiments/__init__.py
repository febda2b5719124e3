"""What personalization earns: per-variant statistics of the running experiments (`python -m experiments`)."""
