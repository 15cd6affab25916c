"""Webhooks both ways: the events a command produces, their bodies and signatures, one
attempt through the outbound-call policy, and inbound payloads mapped to leads.
"""
