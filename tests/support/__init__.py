"""Helpers the tests share: builders of inputs, stand-ins and drivers; no tests (tests/conftest.py checks it)."""
