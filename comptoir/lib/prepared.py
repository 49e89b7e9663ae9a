"""Reads whose shape never changes, compiled to SQL once per database.

Django builds and compiles a queryset again on every call: 0.3 ms to clone the query through its
filters and 0.3–0.6 ms to write the SQL, before the database is asked anything. A page that
reads a thread's 50 messages spends more on that than on the rows (0.33 ms from the cursor),
and every page of the back office reads its session and its employee by key (0.45 ms each, of
which 0.07 ms is the read). A prepared read compiles the queryset once, with marker values for
its parameters, keeps the SQL and the column converters, and afterwards only runs the SQL with
the real values.

- ``PreparedRows``: a ``values_list`` queryset; rows come back as tuples.
- ``PreparedModels``: a model queryset (``select_related`` included); rows come back as the
  models Django would have built, related models attached.

Only a queryset whose SQL is the same for every value can be prepared: filters by equality on
integer or text values, not ``__in`` a list of varying length. An integer out of the database's
range matches nothing, as through the ORM. Each marker must appear exactly
once in the compiled parameters, or preparing fails loudly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.models.sql.compiler import SQLCompiler

# Far outside any id the tables hold; one per parameter.
_MARKER_BASE = -7_654_321_000

M = TypeVar("M", bound=Model)


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: dict[str, int]  # parameter name -> its position in params
    converters: list[tuple[int, list[Callable[..., Any]], Any]]
    compiler: SQLCompiler


class _Prepared:
    def __init__(self, build: Callable[..., QuerySet[Any, Any]], names: tuple[str, ...]) -> None:
        self._build = build
        self._names = names
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str) -> _Compiled:
        markers = {name: _MARKER_BASE - n for n, name in enumerate(self._names)}
        compiler = self._build(**markers).query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots: dict[str, int] = {}
        for name, marker in markers.items():
            # A text column gets the marker as text.
            found = [n for n, value in enumerate(params) if value in (marker, str(marker))]
            if len(found) != 1:
                raise ValueError(f"parameter {name!r} appears {len(found)} times in: {sql}")
            slots[name] = found[0]
        columns = [selected[0] for selected in compiler.select[: compiler.col_count]]
        converters = [
            (position, convs, expression)
            for position, (convs, expression) in compiler.get_converters(columns).items()
        ]
        return _Compiled(sql, tuple(params), slots, converters, compiler)

    def _prepared(self, using: str) -> _Compiled:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = compiled
        return compiled

    def _rows(self, compiled: _Compiled, using: str, values: dict[str, Any]) -> list[list[Any]]:
        connection = connections[using]
        low, high = connection.ops.integer_field_range("BigIntegerField")
        params = list(compiled.params)
        for name, position in compiled.slots.items():
            value = values[name]
            # As the ORM does: an integer no column can hold equals no row (SQLite would raise
            # OverflowError on it, from an id in a URL).
            if isinstance(value, int) and not low <= value <= high:
                return []
            params[position] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = [list(row) for row in cursor.fetchall()]
        for row in rows:
            for position, convs, expression in compiled.converters:
                value = row[position]
                for convert in convs:
                    value = convert(value, expression, connection)
                row[position] = value
        return rows


class PreparedRows(_Prepared):
    """``build(**values)`` is a ``values_list`` queryset; calling this returns its rows as tuples,
    converted as Django would (aware dates, booleans, JSON)."""

    def __init__(self, build: Callable[..., QuerySet[Any, Any]], *names: str) -> None:
        super().__init__(build, names)

    def __call__(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._rows(self._prepared(using), using, values)]


@dataclass(frozen=True, slots=True)
class _Builder:
    start: int
    end: int
    init_list: list[str]
    related: list[Any]  # Django's RelatedPopulator, one per select_related model


class PreparedModels(_Prepared, Generic[M]):
    """``build(**values)`` is a queryset of ``model``; calling this returns its models, with what
    ``select_related`` names attached, as iterating the queryset would."""

    def __init__(self, model: type[M], build: Callable[..., QuerySet[M, M]], *names: str) -> None:
        super().__init__(build, names)
        self._model = model
        self._builders: dict[str, _Builder] = {}

    def _builder(self, compiled: _Compiled, using: str) -> _Builder:
        builder = self._builders.get(using)
        if builder is None:
            compiler = compiled.compiler
            info, select = compiler.klass_info, compiler.select
            if info is None or info["model"] is not self._model or compiler.annotation_col_map:
                raise ValueError(f"not a plain queryset of {self._model.__name__}")
            fields = info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            init_list = [column[0].target.attname for column in select[start:end]]
            related = get_related_populators(info, select, using)
            builder = self._builders.setdefault(using, _Builder(start, end, init_list, related))
        return builder

    def __call__(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[M]:
        compiled = self._prepared(using)
        builder = self._builder(compiled, using)
        found = []
        for row in self._rows(compiled, using, values):
            obj = self._model.from_db(using, builder.init_list, row[builder.start : builder.end])
            for populator in builder.related:
                populator.populate(row, obj)
            found.append(obj)
        return found

    def first(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> M | None:
        found = self(using, **values)
        return found[0] if found else None
