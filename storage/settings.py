"""Leadmill's settings, read from `LEADMILL_*` environment variables when constructed.

A process constructs them once, at its entry point, and hands them down inside its runtime
(`storage.runtime`); nothing else reads the environment.
"""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from pydantic import AliasChoices, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

IPNetwork = IPv4Network | IPv6Network

MIN_JWT_SECRET_LENGTH = 32
_WELL_KNOWN_JWT_SECRETS = {"changethis", "secret", "changeme", "your-secret-key", "jwt-secret"}


class SecretError(ValueError):
    """A secret the process needs is malformed or unreadable: the process must not start."""


def check_jwt_secret(secret: str, origin: str = "LEADMILL_JWT_SECRET") -> str:
    """`secret` when it is fit to sign tokens; `origin` names where it came from in the error."""
    if len(secret) < MIN_JWT_SECRET_LENGTH or secret.lower() in _WELL_KNOWN_JWT_SECRETS:
        raise SecretError(f"{origin} must be a random string of at least "
                          f"{MIN_JWT_SECRET_LENGTH} characters")
    return secret


def check_sealing_key(key: str, origin: str = "LEADMILL_SECRET_KEY") -> str:
    """`key` when Fernet accepts it (32 url-safe base64-encoded bytes)."""
    try:
        Fernet(key.encode())
    except (ValueError, TypeError) as exc:
        raise SecretError(f"{origin} must be a Fernet key (32 url-safe base64-encoded bytes, "
                          "as `Fernet.generate_key()` makes)") from exc
    return key


_SECRET_CHECKS = {"jwt_secret": check_jwt_secret, "secret_key": check_sealing_key}


def _networks(text: str) -> tuple[IPNetwork, ...]:
    """`10.0.0.0/8, 192.168.1.7` → networks (a bare address is a /32 or /128)."""
    return tuple(ip_network(part.strip(), strict=False) for part in text.split(",")
                 if part.strip())


class LeadmillSettings(BaseSettings):
    """Every knob Leadmill reads. Construct it explicitly; nothing reads it at import time."""

    # Errors name the setting, never its value: a value may be a secret or hold a password.
    model_config = SettingsConfigDict(env_prefix="LEADMILL_", extra="ignore",
                                      hide_input_in_errors=True)

    data_dir: Path = Field(
        default=Path(".leadmill"), description="Holds every file Leadmill writes."
    )
    database_url: str | None = Field(
        default=None, description="Operational DB; default SQLite at <data dir>/leadmill.db."
    )
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    prefect_port: int = Field(default=4200, ge=1, le=65535)
    prefect_ui_base: str | None = Field(
        default=None, validation_alias="LEADMILL_PREFECT_UI_URL",
        description="The Prefect UI's address for links; default http://127.0.0.1:<prefect port>.")
    public_url: str | None = Field(
        default=None, description="The API's address as callers outside reach it (inbound "
        "webhook URLs are built from it); default http://<api host>:<api port>.")
    executor: Literal["local", "deployment"] = "local"
    executor_workers: int = Field(default=4, ge=1, le=64)
    instance_name: str | None = Field(
        default=None, description="Names this API process's executor; default <host>:<api port>."
    )
    lease_seconds: float = Field(
        default=30.0, ge=1, description="How long a running command, task run or webhook "
        "delivery stays its process's without a heartbeat; then any instance settles it.")
    company_lead_quota: int = Field(
        default=100_000, ge=0,
        validation_alias=AliasChoices("company_lead_quota", "LEADMILL_COMPANY_LEAD_QUOTA",
                                      "LEADMILL_SITE_LEAD_QUOTA"),
        description="Leads a company may request per calendar month (UTC), all its sites "
        "together; a client's own lead_quota can only lower a site's share. "
        "LEADMILL_SITE_LEAD_QUOTA is its former name.")
    max_api_keys_per_user: int = Field(
        default=10, ge=1, description="Live (unrevoked) API keys one user may hold.")
    max_clients_per_company: int = Field(
        default=100, ge=1, description="Clients (sites) one company may have.")
    max_recurring_searches_per_company: int = Field(
        default=50, ge=1, description="Recurring searches one company may have.")
    import_memory_limit: str = Field(
        default="1GB", pattern=r"^\d+(\.\d+)?\s*[KMGT]i?B$",
        description="DuckDB memory_limit of a prospect import (it spills to disk beyond).")
    import_threads: int = Field(
        default=2, ge=1, le=64, description="DuckDB threads of a prospect import.")
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    egress_allowed_hosts: str = Field(
        default="", description="Comma-separated hosts, host:port or CIDRs that outbound calls "
        "(services, providers, websites, webhooks, SMTP) may reach although not public: the "
        "only way through the outbound-call policy (tests, on-premises targets).")
    webhook_allowed_hosts: str = Field(
        default="", description="Alias of LEADMILL_EGRESS_ALLOWED_HOSTS (kept working).")
    webhook_retry_base_seconds: float = Field(
        default=60.0, ge=0, description="The first webhook retry's delay; the five retries "
        "then spread over about 120 times it (about two hours by default).")
    website_allowed_hosts: str = Field(
        default="", description="Alias of LEADMILL_EGRESS_ALLOWED_HOSTS (kept working).")
    egress_nameservers: str = Field(
        default="", description="Comma-separated DNS servers (host or host:port) outbound calls "
        "resolve names with; empty: the system's resolver.")
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    retry_backoff_seconds: float = Field(
        default=1.0, ge=0, description="Base of the exponential backoff of I/O task retries."
    )
    sample_contacts: int = Field(default=100_000, ge=100)
    sample_companies: int = Field(default=20_000, ge=10)
    load_sample: bool = Field(default=True, description="Generate the sample prospects on start.")
    email_deep_checks: bool = Field(
        default=False, description="Verify e-mails over the network (MX + SMTP) in commands.")
    email_smtp_port: int = Field(default=25, ge=1, le=65535)
    email_nameservers: str = Field(
        default="", description="Comma-separated DNS servers for MX look-ups; empty: system's.")
    email_per_domain_concurrency: int = Field(default=2, ge=1, le=50)
    email_timeout_seconds: float = Field(default=10.0, gt=0)
    email_greylist_retry_seconds: float = Field(default=15.0, ge=0)
    website_checks: bool = Field(
        default=False, description="Visit each lead's website in commands (reachable, "
        "redirects, TLS errors, parked domains); needs the network.")
    website_check_timeout_seconds: float = Field(default=5.0, gt=0)
    email_helo_name: str = "leadmill.localhost"
    email_from_address: str = "verify@leadmill.localhost"
    scoring_weights_file: Path | None = Field(
        default=None, description="JSON of scoring weights per site: {\"default\"|site_id: {...}}.")
    rate_limit_standard: int = Field(
        default=100, ge=1, description="Requests per minute of a standard key or user token."
    )
    rate_limit_premium: int = Field(default=1000, ge=1, description="... of a premium key.")
    rate_limit_backend: Literal["database", "memory"] = Field(
        default="database", description="Where request counters live: the operational DB "
        "(shared by every API process on it) or this process's memory (per process).")
    login_failures_per_username: int = Field(
        default=10, ge=1, description="Failed logins of one username per login window.")
    login_failures_per_ip: int = Field(
        default=50, ge=1, description="Failed logins from one client IP per login window.")
    login_window_seconds: int = Field(default=60, ge=1, le=3600)
    trusted_proxies: str = Field(
        default="", description="Comma-separated addresses or CIDRs of the reverse proxies in "
        "front of the API: only a request from one of them has its X-Forwarded-For read for "
        "the client IP (login throttling). Default none: the peer address is the client.")
    api_worker_threads: int = Field(
        default=16, ge=2, le=64, description="Worker threads that run the API's database and "
        "file work off the event loop; keep it below the operational DB's connection pool.")
    jwt_secret: SecretStr | None = Field(
        default=None, description="HS256 key signing the lead-management API's tokens (32+ "
        "random characters); default <data dir>/jwt.secret, generated once.")
    secret_key: SecretStr | None = Field(
        default=None, description="Fernet key sealing webhook and service secrets; default "
        "<data dir>/secret.key, generated once.")
    retention_days: int = Field(
        default=90, ge=1, description="Days raw source leads and the payloads and attempt "
        "logs of delivered (or finally failed) webhook events are kept; the daily "
        "`privacy-retention` flow purges older ones.")
    password_hash_concurrency: int = Field(
        default=2, ge=1, le=16, description="Argon2 hashes or verifications at once (64 MiB "
        "and ~60 ms of CPU each); other logins wait for a slot without holding a thread.")

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("jwt_secret", "secret_key", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        # An exported but empty variable means "not given", as it always has.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("jwt_secret", "secret_key")
    @classmethod
    def _usable_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        # A weak JWT secret or a malformed sealing key fails here, at the process's start.
        if value is not None:
            _SECRET_CHECKS[info.field_name](value.get_secret_value())
        return value

    @field_validator("public_url")
    @classmethod
    def _plain_public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parsed = urlsplit(value.strip())
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError("LEADMILL_PUBLIC_URL must be an http(s) URL with a host")
        if parsed.query or parsed.fragment or parsed.username or parsed.password:
            raise ValueError("LEADMILL_PUBLIC_URL takes no query, fragment or credentials")
        return value.strip().rstrip("/")

    @property
    def public_base_url(self) -> str:
        """Where links Leadmill hands out point: `LEADMILL_PUBLIC_URL`, never a request's Host
        header (a caller could set that to a host of its choosing)."""
        return self.public_url or f"http://{self.api_host}:{self.api_port}"
    @field_validator("trusted_proxies")
    @classmethod
    def _valid_proxy_networks(cls, value: str) -> str:
        _networks(value)  # a typo fails at start, not silently at the first login
        return value

    @property
    def trusted_proxy_networks(self) -> tuple[IPNetwork, ...]:
        return _networks(self.trusted_proxies)

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'leadmill.db'}"

    @property
    def executor_instance(self) -> str:
        import socket

        return self.instance_name or f"{socket.gethostname()}:{self.api_port}"

    @property
    def prefect_ui_url(self) -> str:
        """Where people open the Prefect UI; `LEADMILL_PREFECT_UI_URL` when it is elsewhere."""
        return self.prefect_ui_base or f"http://127.0.0.1:{self.prefect_port}"

    @property
    def import_duckdb_config(self) -> dict[str, str | int]:
        """DuckDB settings of a prospect import: bounded memory and threads, spilling under
        the data dir."""
        return {"memory_limit": self.import_memory_limit, "threads": self.import_threads,
                "temp_directory": str(self.data_dir / "tmp" / "duckdb")}

    @property
    def credentials_file(self) -> Path:
        return self.data_dir / "demo-credentials.json"

    @property
    def prospect_dir(self) -> Path:
        return self.data_dir / "prospects"

    @property
    def warehouse_dir(self) -> Path:
        return self.data_dir / "warehouse"

    @property
    def warehouse_db(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def prefect_home(self) -> Path:
        return self.data_dir / "prefect"

    @property
    def prefect_auth_file(self) -> Path:
        """The Prefect server's auth string (deployments.prefect_env), created on first start."""
        return self.data_dir / "prefect-auth.secret"

    @property
    def secret_key_file(self) -> Path:
        return self.data_dir / "secret.key"

    @property
    def jwt_secret_file(self) -> Path:
        return self.data_dir / "jwt.secret"

    @property
    def egress_allow_entries(self) -> list[str]:
        """The outbound allow-list: the egress setting and its two older aliases, merged."""
        joined = ",".join((self.egress_allowed_hosts, self.webhook_allowed_hosts,
                           self.website_allowed_hosts))
        return [entry.strip() for entry in joined.split(",") if entry.strip()]
