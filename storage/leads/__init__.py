"""The lead store: one lead per person and client (the identity rule), upserts of a
command's leads, the management API's records, provenance, generated fields and raw source leads.
"""
