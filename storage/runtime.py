"""The runtime of one process for one data dir: its settings, the one engine of its operational
DB and its two secrets, built once and handed down.

A process opens it at its entry point — the API server, the scheduler, each CLI subcommand,
the stack launcher — with `open_runtime(settings)`: the settings are validated there and the
secrets loaded (or created) and checked, so a malformed one stops the process at start.

Flows get only plain parameters from Prefect (a command id, the data dir: flow-run parameters
are stored in Prefect in clear, so never a URL with a password or a key). At their top they ask
`runtime_for(data_dir)`:
- in the API process, whose executor runs flows in its own threads, that is the runtime the
  API opened: the same engine and pool, the settings it was started with, even when those
  were given explicitly rather than read from the environment;
- in a process nobody opened one in (a `prefect worker` or scheduler flow-run process, whose
  entry point is Prefect's), it is built from the environment once: the only place the
  environment is read on a flow's behalf.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy.engine import Engine

from storage.db.engine import engine_for
from storage.settings import LeadmillSettings
from storage.tenancy.secrets import SecretBox, load_jwt_secret, load_secret_box


class Runtime:
    """Settings, the engine and the secrets of one data dir in this process.

    A plain object on purpose: Prefect walks dataclasses and pydantic models it finds among
    task inputs and rebuilds them, which would hand a task a copy instead of this one.
    """

    __slots__ = ("engine", "jwt_secret", "secret_box", "settings")

    def __init__(self, settings: LeadmillSettings, engine: Engine, secret_box: SecretBox,
                 jwt_secret: str) -> None:
        self.settings = settings
        self.engine = engine
        self.secret_box = secret_box
        self.jwt_secret = jwt_secret

    @classmethod
    def build(cls, settings: LeadmillSettings) -> Runtime:
        """Load and check the secrets, and take this process's one engine of the database.

        Raises:
            storage.tenancy.secrets.SecretError: a secret is malformed or unreadable.
        """
        return cls(settings, engine_for(settings.sqlalchemy_url), load_secret_box(settings),
                   load_jwt_secret(settings))

    @property
    def data_dir(self) -> str:
        """The data dir as flows take it: a plain string parameter."""
        return str(self.settings.data_dir)

    def __repr__(self) -> str:  # never the secrets, never the URL (it may hold a password)
        return f"Runtime(data_dir={self.data_dir!r})"


_runtimes: dict[Path, Runtime] = {}
_runtimes_lock = threading.Lock()


def open_runtime(settings: LeadmillSettings) -> Runtime:
    """This process's runtime for `settings.data_dir`, built from `settings` (the process entry
    point calls this once; calling it again with the same settings returns the same runtime).

    Opened again with other settings (a test restarting an app with new ones), the new
    runtime replaces the old one for the flows that start afterwards; the engine stays the
    same while the database URL does.
    """
    with _runtimes_lock:
        current = _runtimes.get(settings.data_dir)
        if current is not None and current.settings == settings:
            return current
        runtime = _runtimes[settings.data_dir] = Runtime.build(settings)
        return runtime


def runtime_for(data_dir: str | Path) -> Runtime:
    """The runtime this process opened for `data_dir`; in a process that opened none (a flow
    run's own process), one built from the environment, once."""
    key = Path(data_dir).expanduser().resolve()
    with _runtimes_lock:
        current = _runtimes.get(key)
    if current is not None:
        return current
    return open_runtime(LeadmillSettings(data_dir=key))
