"""What a shop sends to keep comptoir's copy of its data: one row per customer, order, order state
or order status change, each named by the shop's own id (``external_id``).

These models are the input of the API's shop endpoints and of ``comptoir import`` (CSV): the same
rules, the same translated errors. Shop ids may be numbers or text; they are kept as text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from comptoir.lib.addresses import email_normalize

MAX_BATCH = 5000
FIRST_YEAR, LAST_YEAR = 1900, 2999
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _as_text(value: Any) -> Any:
    """Shop ids come as numbers as often as text: 42 and "42" name the same row."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return value


ShopId = Annotated[str, BeforeValidator(_as_text), Field(min_length=1, max_length=64)]
Text150 = Annotated[str, Field(max_length=150)]


def _language(value: str | None) -> str:
    if value is None or value == "":
        return settings.LANGUAGE_CODE
    code = value.strip().lower()
    codes = [code for code, _name in settings.LANGUAGES]
    if code not in codes:
        raise ValueError(
            _("Unknown language %(code)s: expected one of %(codes)s.")
            % {"code": value, "codes": ", ".join(codes)}
        )
    return code


def _iso_text(value: Any) -> Any:
    """A moment is ISO 8601 text (or a datetime): a bare number is refused rather than taken for
    a Unix timestamp, as the OpenAPI document promises."""
    if isinstance(value, datetime) or (isinstance(value, str) and _ISO_DATE.match(value)):
        return value
    raise ValueError(
        _("Enter a valid date and time (ISO 8601, for example 2026-03-01T14:30:00+01:00).")
    )


def _aware(value: datetime) -> datetime:
    """A date without a time zone is read in the shop's time zone; every date is kept in UTC,
    between 1900 and 2999 (what every database stores, whatever offset was written)."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(
            _("Enter a date between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    value = timezone.make_aware(value) if timezone.is_naive(value) else value
    return value.astimezone(UTC)


Language = Annotated[
    str | None,
    Field(max_length=8, description="en, fr or es; the shop's language if absent."),
    AfterValidator(_language),
]
Moment = Annotated[datetime, BeforeValidator(_iso_text), AfterValidator(_aware)]


class _Fields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


_EXTERNAL_ID = Field(description="The shop's own id of this row (text or number).")


class CustomerData(_Fields):
    email: str = Field(max_length=254, description="The customer's e-mail address.")
    first_name: Text150 = ""
    last_name: Text150 = ""
    is_guest: bool = Field(default=False, description="Ordered without an account.")
    language: Language = None
    created_at: Moment | None = Field(
        default=None, description='Registration date ("customer since"); now if absent.'
    )

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        try:
            validate_email(value)
        except ValidationError:
            raise ValueError(_("Invalid email address.")) from None
        return email_normalize(value)


class CustomerIn(CustomerData):
    external_id: ShopId = _EXTERNAL_ID


class OrderStateData(_Fields):
    name: dict[str, Annotated[str, Field(max_length=128)]] = Field(
        description='The state\'s name per language: {"en": "Shipped", "fr": "Expédiée"}.'
    )
    color: str = Field(
        default="#6c757d", pattern=r"^#[0-9a-fA-F]{6}$", description="Colour as #rrggbb."
    )
    counts_as_valid: bool = Field(
        default=False, description="Orders in this state count as valid (paid) orders."
    )

    @field_validator("name")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        names = {_language(code): text.strip() for code, text in value.items() if text.strip()}
        if not names:
            raise ValueError(_("Give the name in at least one language."))
        return names


class OrderStateIn(OrderStateData):
    external_id: ShopId = _EXTERNAL_ID


class OrderData(_Fields):
    reference: str = Field(min_length=1, max_length=32, description="The order's reference.")
    customer: ShopId = Field(description="external_id of the customer who placed it.")
    created_at: Moment = Field(description="When the order was placed.")
    currency: str = Field(pattern=r"^[A-Za-z]{3}$", description="ISO 4217 code, e.g. EUR.")
    total_paid: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    total_paid_shop_currency: Decimal | None = Field(
        default=None,
        ge=0,
        max_digits=12,
        decimal_places=2,
        description="The same total in the shop's currency; required when the currencies differ.",
    )
    valid: bool = Field(default=False, description="Paid / validated order.")
    language: Language = None
    state: ShopId | None = Field(
        default=None, description="external_id of the order's current state."
    )

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return value.upper()

    def shop_total(self) -> Decimal | None:
        """The total in the shop's currency (None: required but not given)."""
        if self.total_paid_shop_currency is not None:
            return self.total_paid_shop_currency
        return self.total_paid if self.currency == settings.COMPTOIR_CURRENCY else None


class OrderIn(OrderData):
    external_id: ShopId = _EXTERNAL_ID


class OrderHistoryData(_Fields):
    order: ShopId = Field(description="external_id of the order.")
    state: ShopId = Field(description="external_id of the state the order moved to.")
    created_at: Moment = Field(description="When the order moved to this state.")


class OrderHistoryIn(OrderHistoryData):
    external_id: ShopId = _EXTERNAL_ID
