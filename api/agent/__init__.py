"""The agent API of openapi.json, served under `/api/agent`: the same records as the
lead-management API under the names openapi.json gives them, not a second model.

An agent-API campaign is a campaign of `/api/campaigns`, an agent-API client a client of
`/api/clients` (and an agent-API lead a lead of `/api/leads`): each route here reads and
writes through the same storage functions and reply builders as its `/api/...` twin, and adds
only the agent API's shape — numbered pages (`page` from 1, `pageSize` default 20) answered as
`{success, data[], pagination {totalItems, totalPages, page, pageSize}}`, and a created
record as `{success, data, id}`. Authentication is the `authenticated` guard's: a Bearer
access token or an API key (Bearer, or `x-api-key` with `x-user-id`).
"""
