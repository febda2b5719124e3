"""The integration tests run against the local stack (`local_stack`, a session fixture)."""

pytest_plugins = ["tests.stack_fixture"]
