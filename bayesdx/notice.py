"""The one line every output about a patient carries."""

__all__ = ["DISCLAIMER"]

DISCLAIMER = "Educational and research tool, not medical advice."
