"""A company's workspace settings and records beside its leads: service and agent
settings, maintenance requests and pipeline analytics.
"""
