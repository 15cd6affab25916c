"""The privacy routes: do-not-contact lists (`/api/suppressions`), erasure
(`POST /api/privacy/erase`) and subject access (`GET /api/privacy/export`). The rules live in
storage/privacy; these modules only decode, authorise and answer."""
