"""Every test here that reaches the operational DB runs on SQLite and on PostgreSQL."""

from tests.fixtures.postgres import parametrize_backends as pytest_generate_tests  # noqa: F401
