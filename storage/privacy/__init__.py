"""Privacy: who must never be found again, and what was erased.

- `models.py`: `Suppression` (a do-not-contact entry, or what an erasure leaves behind: a keyed
  fingerprint of one identity key, never the key itself for an erasure) and `ErasureAudit`
  (who erased what and when, without the PII);
- `fingerprints.py`: the one rule turning an e-mail, LinkedIn profile, phone, name at company
  or domain into the fingerprints stored and checked;
- `suppressions.py`: managing the lists and `SuppressionCheck`, the check every path that
  returns or stores a person runs (commands, recurring searches, imports, inbound webhooks).
"""
