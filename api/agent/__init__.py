"""The agent API of leadgenius openapi.json, served under `/api/agent`: campaigns, leads and
clients in `page`/`pageSize` pages answered `{success, data[], pagination{...}}`, over the
same records (and storage functions) as the lead-management API."""
