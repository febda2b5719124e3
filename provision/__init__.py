"""Provisioning: takes a generated dataset into Amazon Personalize and turns personalization on.

`python -m provision up|down|status` (see `provision.__main__`). The resources are a list of
steps (`provision.resources.build_stages`) run by one small engine (`provision.engine`).
"""
