"""OAuth2 for a mailbox (Google Workspace, Microsoft 365, another provider): the
authorisation-code flow with PKCE and a state check, the refresh token sealed like the password,
access tokens refreshed before they expire, and a revoked or expired grant that stops only its
mailbox (with a message, a "Reconnect" button and an e-mail to the administrators).

Built on authlib's client-side pieces (the authorisation URI, PKCE's S256 challenge, the token
request); the token endpoint is called with urllib (no HTTP client library needed).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.lib.secretbox import seal, unseal
from comptoir.mail.connection import FetchError
from comptoir.mail.models import Mailbox, OAuthProvider
from comptoir.staff.models import Employee, Role
from comptoir.threads.emails import email_queue
from comptoir.threads.models import EmailKind

log = logging.getLogger(__name__)

TOKEN_TIMEOUT_SECONDS = 15.0
# An access token is refreshed when less than this is left of it.
REFRESH_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class Provider:
    authorize_url: str
    token_url: str
    scopes: str
    # Extra parameters of the authorisation request (Google: a refresh token, every time).
    extra: tuple[tuple[str, str], ...] = ()


PROVIDERS = {
    OAuthProvider.GOOGLE: Provider(
        authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
        token_url="https://oauth2.googleapis.com/token",  # noqa: S106 - a URL, not a secret
        scopes="https://mail.google.com/",
        extra=(("access_type", "offline"), ("prompt", "consent")),
    ),
    OAuthProvider.MICROSOFT: Provider(
        authorize_url="https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize",
        token_url="https://login.microsoftonline.com/organizations/oauth2/v2.0/token",  # noqa: S106
        scopes=(
            "offline_access https://outlook.office.com/IMAP.AccessAsUser.All "
            "https://outlook.office.com/POP.AccessAsUser.All https://outlook.office.com/SMTP.Send"
        ),
    ),
}


class OAuthError(FetchError):
    """The provider could not be reached or answered oddly: try again later."""


class OAuthGrantLost(OAuthError):
    """The grant was revoked or expired: only "Reconnect" helps."""


def oauth_provider(mailbox: Mailbox) -> Provider:
    """The mailbox's endpoints and scopes: the known ones for Google and Microsoft (scopes may
    be overridden), the typed ones for another provider."""
    known = PROVIDERS.get(OAuthProvider(mailbox.oauth_provider))
    if known is not None:
        return Provider(
            authorize_url=mailbox.oauth_authorize_url or known.authorize_url,
            token_url=mailbox.oauth_token_url or known.token_url,
            scopes=mailbox.oauth_scopes or known.scopes,
            extra=known.extra,
        )
    return Provider(mailbox.oauth_authorize_url, mailbox.oauth_token_url, mailbox.oauth_scopes)


def url_allowed(url: str) -> bool:
    """HTTPS, or plain HTTP to this machine only (loopback, as OAuth's security advice allows)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def oauth_redirect_uri() -> str:
    """Where the provider sends the administrator back: register exactly this at the provider."""
    return f"{settings.COMPTOIR_SITE_URL}{reverse('mail:oauth_callback')}"


@dataclass(frozen=True)
class OAuthStart:
    url: str
    state: str
    verifier: str


def oauth_start(*, mailbox: Mailbox) -> OAuthStart:
    """The provider's consent page to send the administrator to, with a fresh state and PKCE
    verifier (kept in their session by the view, checked on the way back)."""
    provider = oauth_provider(mailbox)
    if not mailbox.oauth_client_id or not url_allowed(provider.authorize_url):
        raise OAuthError(_("Enter the OAuth client ID and the provider's addresses first."))
    state = generate_token(32)
    verifier = generate_token(64)
    url = prepare_grant_uri(
        provider.authorize_url,
        client_id=mailbox.oauth_client_id,
        response_type="code",
        redirect_uri=oauth_redirect_uri(),
        scope=provider.scopes,
        state=state,
        code_challenge=create_s256_code_challenge(verifier),
        code_challenge_method="S256",
        login_hint=mailbox.username,
        **dict(provider.extra),
    )
    return OAuthStart(url=url, state=state, verifier=verifier)


def _token_request(mailbox: Mailbox, fields: dict[str, str]) -> dict[str, Any]:
    provider = oauth_provider(mailbox)
    if not url_allowed(provider.token_url):
        raise OAuthError(_("The token address must start with https://."))
    secret = unseal(mailbox.oauth_client_secret_sealed, secret_key=settings.SECRET_KEY)
    body = {**fields, "client_id": mailbox.oauth_client_id}
    if secret:
        body["client_secret"] = secret
    request = urllib.request.Request(  # noqa: S310 - https or loopback only (url_allowed)
        provider.token_url,
        data=urllib.parse.urlencode(body).encode(),
        headers={"Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TOKEN_TIMEOUT_SECONDS) as response:  # noqa: S310
            return dict(json.loads(response.read()))
    except urllib.error.HTTPError as exc:
        try:
            answer = json.loads(exc.read() or b"{}")
        except ValueError:
            answer = {}
        error = str(answer.get("error", exc.code))
        described = str(answer.get("error_description", "")) or error
        if error in ("invalid_grant", "unauthorized_client", "invalid_client"):
            raise OAuthGrantLost(
                _("The provider refused the grant (%(reason)s): press Reconnect.")
                % {"reason": described}
            ) from exc
        raise OAuthError(
            _("The provider's token address answered %(status)s: %(reason)s")
            % {"status": exc.code, "reason": described}
        ) from exc
    except (OSError, ValueError) as exc:
        raise OAuthError(
            _("The provider's token address cannot be reached: %(reason)s") % {"reason": exc}
        ) from exc


def _tokens_save(mailbox: Mailbox, answer: dict[str, Any]) -> str:
    access = str(answer.get("access_token") or "")
    if not access:
        raise OAuthError(_("The provider answered without an access token."))
    lifetime = int(answer.get("expires_in") or 3600)
    now = timezone.now()
    fields: dict[str, Any] = {
        "oauth_access_token_sealed": seal(access, secret_key=settings.SECRET_KEY),
        "oauth_expires_at": now + timedelta(seconds=lifetime),
        "oauth_error": "",
    }
    if answer.get("refresh_token"):
        fields["oauth_refresh_token_sealed"] = seal(
            str(answer["refresh_token"]), secret_key=settings.SECRET_KEY
        )
    Mailbox.objects.filter(pk=mailbox.pk).update(**fields)
    for name, value in fields.items():
        setattr(mailbox, name, value)
    return access


def oauth_finish(*, mailbox: Mailbox, code: str, verifier: str) -> Mailbox:
    """Exchange the code the provider sent back (with the PKCE verifier) for the tokens; the
    mailbox is fetched again at once."""
    answer = _token_request(
        mailbox,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": oauth_redirect_uri(),
            "code_verifier": verifier,
        },
    )
    if not answer.get("refresh_token"):
        raise OAuthError(
            _(
                "The provider gave no refresh token, so comptoir could not stay connected: "
                "check that offline access is allowed, then connect again."
            )
        )
    _tokens_save(mailbox, answer)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        next_sync_at=timezone.now(), consecutive_failures=0, last_error=""
    )
    return mailbox


def oauth_access_token(*, mailbox: Mailbox, force: bool = False) -> str:
    """A valid access token: the saved one while more than five minutes are left of it, else a
    new one from the refresh token (``force``: a new one whatever). A refused refresh marks the
    mailbox (``oauth_grant_lost``) and raises ``OAuthGrantLost``."""
    if mailbox.oauth_error:
        raise OAuthGrantLost(mailbox.oauth_error)
    access = unseal(mailbox.oauth_access_token_sealed, secret_key=settings.SECRET_KEY)
    expires = mailbox.oauth_expires_at
    if access and expires and not force and expires - timezone.now() > REFRESH_MARGIN:
        return access
    refresh = unseal(mailbox.oauth_refresh_token_sealed, secret_key=settings.SECRET_KEY)
    if not refresh:
        raise oauth_grant_lost(
            mailbox=mailbox, reason=_("No OAuth connection is saved: press Connect.")
        )
    try:
        answer = _token_request(mailbox, {"grant_type": "refresh_token", "refresh_token": refresh})
    except OAuthGrantLost as exc:
        raise oauth_grant_lost(mailbox=mailbox, reason=str(exc)) from exc
    return _tokens_save(mailbox, answer)


def oauth_grant_lost(*, mailbox: Mailbox, reason: str) -> OAuthGrantLost:
    """Stop this mailbox until it is reconnected, and tell the administrators by e-mail (once).
    Returns the error to raise."""
    message = _(
        "The OAuth access to %(user)s was revoked or has expired: this mailbox is stopped "
        "until an administrator presses Reconnect. %(reason)s"
    ) % {"user": mailbox.username, "reason": reason}
    with transaction.atomic():
        first = (
            Mailbox.objects.filter(pk=mailbox.pk, oauth_error="").update(
                oauth_error=message, oauth_access_token_sealed="", oauth_expires_at=None
            )
            == 1
        )
        if first:
            _administrators_tell(mailbox, reason)
    mailbox.oauth_error = message
    mailbox.oauth_access_token_sealed = ""
    log.warning("mailbox %s: OAuth grant lost: %s", mailbox.pk, reason)
    return OAuthGrantLost(message)


def _administrators_tell(mailbox: Mailbox, reason: str) -> None:
    link = f"{settings.COMPTOIR_SITE_URL}{reverse('mail:mailbox_edit', args=[mailbox.pk])}"
    for admin in Employee.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk"):
        email_queue(
            kind=EmailKind.NOTIFICATION,
            template="mail/email/oauth_lost.txt",
            context={"mailbox": mailbox, "reason": reason, "link": link},
            language=admin.language or settings.LANGUAGE_CODE,
            to_email=admin.email,
            from_email=settings.DEFAULT_FROM_EMAIL,
            from_name=settings.COMPTOIR_SHOP_NAME,
            is_internal=True,
            threading=False,
        )


def oauth_disconnect(*, mailbox: Mailbox) -> None:
    """Forget the tokens (the grant itself is removed at the provider by the administrator)."""
    Mailbox.objects.filter(pk=mailbox.pk).update(
        oauth_refresh_token_sealed="",
        oauth_access_token_sealed="",
        oauth_expires_at=None,
        oauth_error="",
    )
