"""The commands that drive several apps: ``worker`` (``comptoir.ops.worker``), ``demo``
(``comptoir.demo``) and ``import`` (shop data, then the threads linked to their customers).
An app with no models, so that Django finds the commands; no app imports it."""
