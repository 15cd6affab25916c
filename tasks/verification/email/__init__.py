"""E-mail verification with check-if-email-exists' result fields (see `verifier`)."""

from tasks.verification.email.models import (
    EmailCheck,
    MiscResult,
    MxResult,
    SmtpResult,
    SyntaxResult,
)
from tasks.verification.email.mx import DnsMxResolver, MxResolver, StaticMxResolver
from tasks.verification.email.syntax import validate_offline
from tasks.verification.email.verifier import EmailVerifier, VerifierOptions, verify_emails

__all__ = [
    "DnsMxResolver", "EmailCheck", "EmailVerifier", "MiscResult", "MxResolver", "MxResult",
    "SmtpResult", "StaticMxResolver", "SyntaxResult", "VerifierOptions", "validate_offline",
    "verify_emails",
]
