from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def shop(request: HttpRequest) -> dict[str, object]:
    return {
        "shop_name": settings.COMPTOIR_SHOP_NAME,
        "shop_logo_url": settings.COMPTOIR_SHOP_LOGO_URL,
    }


def notifications(request: HttpRequest) -> dict[str, object]:
    """The bell's count of unread notifications, for the desk's header: a callable, so the
    query runs only where a page shows the bell (once, in its ``{% with %}``)."""
    from comptoir.notifications.services import notifications_unread_count

    def unread() -> int:
        user = request.user
        if not user.is_authenticated:
            return 0
        return notifications_unread_count(employee=user)

    return {"notifications_unread": unread}
