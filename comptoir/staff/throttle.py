"""Sign-in throttling that cannot be turned against the team (issue 17).

Failed sign-ins are counted per (account, address) and per address, in ``LoginThrottle`` rows:

- 5 failures for one account from one address lock that account *from that address*;
- 20 failures from one address, whatever the accounts, lock that address for every account.

No count locks an account for everyone: someone who knows an administrator's address cannot
keep them out from their own desk. A lock lasts 15 minutes after the failure that set it
(attempts while locked are refused without checking the password, and not counted). A
successful sign-in forgets that account's failures from that address. The address is
``lib.http.client_address``; an IPv6 address counts for its /64 network, which one machine
usually holds whole. Administrators see the locks and lift them on the Employees page.

With ``COMPTOIR_REDIS_URL`` set (issue 20), the counts are Redis keys (``INCR`` and ``EXPIRE``,
one round trip per failure, none in the database); a count that reaches its limit also writes
its ``LoginThrottle`` row, so the Employees page lists and lifts locks the same way.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from ipaddress import IPv6Address, ip_address, ip_network
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from comptoir.lib.addresses import email_normalize
from comptoir.lib.redisconn import PREFIX, redis_client
from comptoir.staff.models import LoginThrottle

log = logging.getLogger(__name__)

LOGIN_FAILURE_LIMIT = 5
LOGIN_ADDRESS_FAILURE_LIMIT = 20
LOGIN_LOCK_SECONDS = 15 * 60
LOCKS_SHOWN = 100
EVERY_ACCOUNT = ""


def throttle_address(address: str | None) -> str:
    """The address failures are counted for: an IPv6 address's /64 network."""
    try:
        found = ip_address(address or "")
    except ValueError:
        return "unknown"
    if isinstance(found, IPv6Address):
        return str(ip_network(f"{found}/64", strict=False))
    return str(found)


def _account(email: str) -> str:
    # Never blank: blank is the row of every account from an address.
    return email_normalize(email)[:254] or "?"


def _locked() -> Q:
    return Q(email=EVERY_ACCOUNT, failures__gte=LOGIN_ADDRESS_FAILURE_LIMIT) | (
        ~Q(email=EVERY_ACCOUNT) & Q(failures__gte=LOGIN_FAILURE_LIMIT)
    )


def login_is_locked(*, email: str, address: str | None) -> bool:
    """True while this account is locked from this address, or this address for everyone."""
    where = throttle_address(address)
    client = redis_client()
    if client is not None:
        mine, everyone = client.mget(
            _redis_key(_account(email), where), _redis_key(EVERY_ACCOUNT, where)
        )
        return int(mine or 0) >= LOGIN_FAILURE_LIMIT or (
            int(everyone or 0) >= LOGIN_ADDRESS_FAILURE_LIMIT
        )
    return LoginThrottle.objects.filter(
        Q(email=_account(email)) | Q(email=EVERY_ACCOUNT),
        _locked(),
        address=where,
        expires_at__gt=timezone.now(),
    ).exists()


@transaction.atomic
def login_failure_record(*, email: str, address: str | None) -> None:
    """Count a failed sign-in for the account from the address, and for the address."""
    where = throttle_address(address)
    now = timezone.now()
    expires = now + timedelta(seconds=LOGIN_LOCK_SECONDS)
    counts = ((_account(email), LOGIN_FAILURE_LIMIT), (EVERY_ACCOUNT, LOGIN_ADDRESS_FAILURE_LIMIT))
    client = redis_client()
    if client is not None:
        _redis_failure_record(client, where, counts, now, expires)
        return
    for account, limit in counts:
        rows = LoginThrottle.objects.filter(email=account, address=where)
        counted = rows.filter(expires_at__gt=now).update(
            failures=F("failures") + 1, last_failure_at=now, expires_at=expires
        ) or rows.update(failures=1, last_failure_at=now, expires_at=expires)
        if not counted:
            try:
                with transaction.atomic():
                    LoginThrottle.objects.create(
                        email=account,
                        address=where,
                        failures=1,
                        last_failure_at=now,
                        expires_at=expires,
                    )
            except IntegrityError:  # counted by a concurrent attempt between update and insert
                rows.update(failures=F("failures") + 1, last_failure_at=now, expires_at=expires)
        failures = rows.values_list("failures", flat=True).first() or 0
        if failures == limit:
            log.warning(
                "sign-in locked for %s from %s after %d failures",
                account or "every account",
                where,
                failures,
            )


def _redis_key(account: str, address: str) -> str:
    digest = hashlib.sha256(f"{address}\0{account}".encode()).hexdigest()
    return f"{PREFIX}login:{digest}"


def _redis_failure_record(
    client: Any,
    where: str,
    counts: tuple[tuple[str, int], ...],
    now: datetime,
    expires: datetime,
) -> None:
    with client.pipeline(transaction=True) as pipe:
        for account, _limit in counts:
            pipe.incr(_redis_key(account, where))
            pipe.expire(_redis_key(account, where), LOGIN_LOCK_SECONDS)
        replies = pipe.execute()
    for index, (account, limit) in enumerate(counts):
        failures = int(replies[2 * index])
        if failures >= limit:  # a lock: written where the Employees page lists locks
            LoginThrottle.objects.update_or_create(
                email=account,
                address=where,
                defaults={"failures": failures, "last_failure_at": now, "expires_at": expires},
            )
        if failures == limit:
            log.warning(
                "sign-in locked for %s from %s after %d failures",
                account or "every account",
                where,
                failures,
            )


def login_success_record(*, email: str, address: str | None) -> None:
    """Forget this account's failures from this address (not the address's own count)."""
    client = redis_client()
    if client is not None:
        client.delete(_redis_key(_account(email), throttle_address(address)))
    LoginThrottle.objects.filter(email=_account(email), address=throttle_address(address)).delete()


def login_locks_list() -> list[LoginThrottle]:
    """The locks in force, the newest first (at most LOCKS_SHOWN)."""
    return list(
        LoginThrottle.objects.filter(_locked(), expires_at__gt=timezone.now()).order_by(
            "-last_failure_at", "-pk"
        )[:LOCKS_SHOWN]
    )


def login_lock_lift(*, lock: LoginThrottle) -> None:
    """An administrator lifts a lock: its failures are forgotten."""
    client = redis_client()
    if client is not None:
        client.delete(_redis_key(lock.email, lock.address))
    LoginThrottle.objects.filter(pk=lock.pk).delete()


def login_throttles_purge() -> int:
    """Delete the counts whose time has passed (the worker, now and then)."""
    deleted, _kinds = LoginThrottle.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
