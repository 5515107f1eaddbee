"""Applying a viewer's `Scope` in SQL: the one place a read is narrowed to the reps it allows.

Every repository read that returns people's data takes `scope: Scope` as a required keyword
and narrows its query with `scoped` on the column that names the row's rep. A row without a
rep (an unassigned call) matches no list of reps, so only a scope that allows everything
sees it, as `Scope.allows_rep` says.
"""

from __future__ import annotations

from typing import Any

from callcoach.domain.access import Scope


def scoped(query: Any, column: Any, scope: Scope) -> Any:
    """`query` narrowed to the reps the scope allows (nothing to add when it allows all).

    Typed `Any` like the queries it narrows: SQLAlchemy's row types are not worth spelling out
    for every read, and callers state the type of what they return."""
    if scope.rep_ids is None:
        return query
    return query.where(column.in_(sorted(scope.rep_ids)))
