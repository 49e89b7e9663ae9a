"""The demo shop: a team, customers with orders, and months of customer-service conversations.

``demo_load`` is what ``comptoir demo`` (and the first ``comptoir run``) calls. Everything is
deterministic for a given seed, except the secret tokens and storage names the services draw.

The texts of each language (customers, visitors, the order page's predefined messages and the
conversation scripts) are data files, ``languages/<language>.toml``, read by ``languages.py``; the
rest is Python: ``shop`` (team, order statuses, prices), ``conversations`` (what a script is),
``plan`` (everything decided from the seed, no database), ``play`` (one conversation written
through ``threads.services``), ``attachments`` (the files customers send) and ``load``.

The e-mail addresses use the domains reserved for examples (RFC 2606), so nothing can reach a real
person; the e-mails the services queue are recorded as sent, the worker has nothing to deliver.
"""

from comptoir.demo.load import demo_load
from comptoir.demo.plan import DemoPlan, make_plan
from comptoir.demo.shop import DEMO_ADMIN_EMAIL, LANGUAGES, ORDER_STATES

__all__ = ["DEMO_ADMIN_EMAIL", "LANGUAGES", "ORDER_STATES", "DemoPlan", "demo_load", "make_plan"]
