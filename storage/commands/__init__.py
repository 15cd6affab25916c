"""Lead-generation commands as records: creation (the one `create_command`), progress and
outcome, the fair dispatch order, leases of running commands, idempotency keys, recurring
searches, the background runs callers trigger, and what one company may take of the instance
(its monthly lead quota and caps).
"""
