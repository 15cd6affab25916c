"""Lead-generation commands as records: creation, progress and outcome, the fair
dispatch order, leases of running commands, idempotency keys, recurring searches and the
background runs callers trigger.
"""
