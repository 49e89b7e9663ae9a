"""Who is calling: an API key in ``Authorization: Bearer``, with the scope the operation needs."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from comptoir.api.errors import ApiError
from comptoir.api.keys import key_find, key_touch
from comptoir.api.models import ApiKey, Scope
from comptoir.staff.models import Employee


class ApiKeyAuth(HttpBearer):
    def __init__(self, scope: Scope, personal_data: str = "") -> None:
        super().__init__()
        self.scope = scope
        # "export" or "erase": the key must also have been given that right (customers:export,
        # customers:erase); erasing also needs the key to act as an administrator.
        self.personal_data = personal_data

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey:
        key = key_find(token.strip())
        if key is None:
            raise ApiError(401, "invalid_key", _("This API key is not valid."))
        if key.is_revoked:
            raise ApiError(401, "revoked_key", _("This API key has been revoked."))
        if not key.employee.is_active:
            message = _("The employee this API key acts as is no longer active.")
            raise ApiError(401, "inactive_employee", message)
        if self.scope == Scope.WRITE and not key.can_write:
            message = _("This API key may only read; this operation needs a read and write key.")
            raise ApiError(403, "insufficient_scope", message)
        if self.personal_data == "export" and not key.may_export_personal_data:
            message = _("This API key may not export personal data (customers:export).")
            raise ApiError(403, "insufficient_scope", message)
        if self.personal_data == "erase" and not (
            key.may_erase_personal_data and key.employee.is_administrator
        ):
            message = _(
                "This API key may not erase personal data (customers:erase, acting as an "
                "administrator)."
            )
            raise ApiError(403, "insufficient_scope", message)
        key_touch(key)
        return key


READ = ApiKeyAuth(Scope.READ)
WRITE = ApiKeyAuth(Scope.WRITE)
EXPORT = ApiKeyAuth(Scope.READ, personal_data="export")
ERASE = ApiKeyAuth(Scope.WRITE, personal_data="erase")


def api_key(request: HttpRequest) -> ApiKey:
    key = getattr(request, "auth", None)
    assert isinstance(key, ApiKey)  # guaranteed by the operation's auth
    return key


def acting_employee(request: HttpRequest) -> Employee:
    """The employee the key acts as: the author of replies, notes and changes."""
    return api_key(request).employee
