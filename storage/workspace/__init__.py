"""A company's workspace settings and records beside its leads: service and agent
settings, maintenance requests, pipeline analytics, and the platform admins' overview of every
tenant.
"""
