"""`python -m local.bus --archive-dir DIR [--port N] [--forward MOTO_URL]`: the local EventBridge and SQS."""

from local.bus.process import main

main()
