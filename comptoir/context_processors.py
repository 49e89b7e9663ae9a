from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def shop(request: HttpRequest) -> dict[str, object]:
    return {
        "shop_name": settings.COMPTOIR_SHOP_NAME,
        "shop_logo_url": settings.COMPTOIR_SHOP_LOGO_URL,
    }
