"""The error responses each operation documents, so the OpenAPI document lists every status an
operation can answer (clients and the schema checks in CI rely on it)."""

from __future__ import annotations

from comptoir.api.auth import ApiKeyAuth
from comptoir.api.errors import ErrorOut
from comptoir.api.models import Scope


def errors_for(auth: ApiKeyAuth, *codes: int) -> dict[int, type[ErrorOut]]:
    """400 (unreadable body), 401 (no or bad key), 422 (bad input) always; 403 and 413 for
    operations that need a read and write key; ``codes`` for the rest (404, 409, 429…)."""
    statuses = {400, 401, 422, *codes}
    if auth.scope == Scope.WRITE:
        statuses |= {403, 413}
    return dict.fromkeys(sorted(statuses), ErrorOut)
