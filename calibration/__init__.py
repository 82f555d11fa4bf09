"""Calibration targets, shipped as package data (``bayesdx.calibration_data``)."""
