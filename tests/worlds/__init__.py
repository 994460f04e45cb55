"""Shared test data builders and fixtures (no tests here); each room's conftest.py exposes the fixtures."""
