"""Bundled network files, shipped as package data (``bayesdx.networks``)."""
