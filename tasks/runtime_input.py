"""How a task takes the process's runtime (`storage.runtime.Runtime`): as its `runtime`
argument, left out of its cache key.

A flow obtains the runtime at its top and hands it to the tasks that reach the operational DB
or the secrets, so no task reads the environment or opens an engine of its own. The runtime
cannot be hashed (it holds an engine and locks), and Prefect's default cache policy hashes every
input: without the exclusion each task run would log "Error encountered when computing cache
key". Within one flow run (the default policy keys on the run id too) the runtime is always the
same, so leaving it out changes nothing about what is reused.
"""

from __future__ import annotations

from prefect.cache_policies import DEFAULT, CachePolicy

RUNTIME_ARGUMENT = "runtime"

# Prefect's default policy (inputs + task source + run id), without the runtime argument.
CACHE_WITHOUT_RUNTIME: CachePolicy = DEFAULT - RUNTIME_ARGUMENT
