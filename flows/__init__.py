"""Prefect flows: one public flow per module; flows only compose tasks."""
