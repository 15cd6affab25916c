"""Webhooks in the operational DB: the outbox of outbound deliveries and the inbound
endpoints of the webhook workbench.
"""
