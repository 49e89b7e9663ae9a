"""Test-wide set-up lives in comptoir/testing_env.py (environment) and comptoir/testing.py."""

pytest_plugins = ["comptoir.testing"]
