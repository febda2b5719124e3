"""The integration tests run against the local stack (`local_stack`, a session fixture).

`pytest_plugins` is only allowed in the top-level conftest (tests/conftest.py), so the
fixture is imported here; pytest finds fixtures among a conftest's names.
"""

from tests.stack_fixture import local_stack

__all__ = ["local_stack"]
