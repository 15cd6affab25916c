"""E-mail verification with check-if-email-exists' result fields (see `verifier`)."""

from tasks.email_verification.models import (
    EmailCheck,
    MiscResult,
    MxResult,
    SmtpResult,
    SyntaxResult,
)
from tasks.email_verification.mx import DnsMxResolver, MxResolver, StaticMxResolver
from tasks.email_verification.syntax import validate_offline
from tasks.email_verification.verifier import EmailVerifier, VerifierOptions, verify_emails

__all__ = [
    "DnsMxResolver", "EmailCheck", "EmailVerifier", "MiscResult", "MxResolver", "MxResult",
    "SmtpResult", "StaticMxResolver", "SyntaxResult", "VerifierOptions", "validate_offline",
    "verify_emails",
]
