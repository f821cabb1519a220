"""Storing a new lead with its trail (the CREATED event and the audit event) in one statement.

Intake is the hottest path of the system (the grid platform pushes leads in bursts), and three
ORM inserts inside BEGIN … COMMIT cost more than everything else a report needs together:
compiling each INSERT, five round trips, and a transaction the database has to open and close.
On PostgreSQL the three rows go in one INSERT … statement with data-modifying CTEs instead:
one statement is one transaction, so the lead never lands without its trail, and it returns
only once the commit is durable. The columns and values come from the models' own fields
(`get_db_prep_save`), so a field added to a model is stored here as by `save()`.

Other databases (SQLite in development) and reports with photos use the ORM in `services`.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import NOT_PROVIDED

from warmwinter.accounts.permissions import Actor
from warmwinter.audit.models import AuditAction, AuditEvent
from warmwinter.audit.services import audit_event
from warmwinter.leads.models import Lead, LeadEvent


def one_statement_available() -> bool:
    return connection.vendor == "postgresql"


@functools.cache
def _insert_fields(
    model: type[models.Model], skip: tuple[str, ...]
) -> tuple[tuple[Any, str, bool], ...]:
    """(field, quoted column, whether the field has its own pre_save) for each column `save()`
    inserts, less the primary key and `skip`: worked out once per model."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    plain_pre_save = models.Field.pre_save
    return tuple(
        (f, quote(f.column), type(f).pre_save is not plain_pre_save)
        for f in model._meta.concrete_fields
        if not f.primary_key and f.attname not in skip
    )


def _columns(
    conn: BaseDatabaseWrapper, obj: models.Model, *, skip: tuple[str, ...] = ()
) -> tuple[list[str], list[Any]]:
    """The columns and database values `save()` would insert for `obj`, less the NULLs: a
    column left out is NULL all the same (none has a database default), and a statement with
    fewer parameters is one the driver converts once and caches."""
    columns: list[str] = []
    values: list[Any] = []
    for f, column, own_pre_save in _insert_fields(type(obj), skip):
        # Field.pre_save is the attribute itself; auto_now, files and the like have their own.
        value = f.pre_save(obj, add=True) if own_pre_save else getattr(obj, f.attname)
        if value is None and f.db_default is NOT_PROVIDED:
            continue
        columns.append(column)
        values.append(f.get_db_prep_save(value, connection=conn))
    return columns, values


def audit_event_for_new_lead(lead: Lead, by: Actor | None) -> AuditEvent:
    """The audit event `audit_record(actor=by, action=CREATE, target=lead)` writes, unsaved
    (its target_id is filled from the new lead's id in the statement)."""
    return audit_event(actor=by, action=AuditAction.CREATE, target=lead)


@functools.lru_cache(maxsize=32)
def _statement(
    lead_cols: tuple[str, ...], event_cols: tuple[str, ...], audit_cols: tuple[str, ...]
) -> str:
    """The one statement for these columns (a handful of variants, as NULLs are left out)."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name

    def insert(model: type[models.Model], cols: tuple[str, ...], lead_ref: str = "") -> str:
        # Identifiers from the models' metadata, quoted; every value is a parameter. `lead_ref`
        # ("column = expression") fills a column from the new lead's id.
        names, values = list(cols), ["%s"] * len(cols)
        if lead_ref:
            column, expression = lead_ref.split(" = ")
            names.insert(0, quote(column))
            values.insert(0, f"(SELECT {expression} FROM new_lead)")  # noqa: S608
        table = quote(model._meta.db_table)
        return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(values)})"  # noqa: S608

    lead_insert = insert(Lead, lead_cols)
    event_insert = insert(LeadEvent, event_cols, "lead_id = id")
    audit_insert = insert(AuditEvent, audit_cols, "target_id = id::text")
    ctes = f"new_lead AS ({lead_insert} RETURNING id), new_event AS ({event_insert}), "
    return f"WITH {ctes}new_audit AS ({audit_insert}) SELECT id FROM new_lead"  # noqa: S608


def insert_lead_with_trail(lead: Lead, event: LeadEvent, audit: AuditEvent) -> None:
    """Insert `lead`, its `event` and its `audit` event in one statement and set `lead.pk`
    (and the others' lead and target). Raises IntegrityError (e.g. a repeated idempotency key)
    having stored none of them. Caller: PostgreSQL only (`one_statement_available`)."""
    conn = connections[DEFAULT_DB_ALIAS]
    lead_cols, lead_vals = _columns(conn, lead)
    event_cols, event_vals = _columns(conn, event, skip=("lead_id",))
    audit_cols, audit_vals = _columns(conn, audit, skip=("target_id",))

    sql = _statement(tuple(lead_cols), tuple(event_cols), tuple(audit_cols))
    params = [*lead_vals, *event_vals, *audit_vals]
    # Outside a transaction the statement commits by itself. Inside one (a caller's atomic
    # block, a test) a savepoint keeps a refused insert from spoiling the caller's transaction.
    if conn.in_atomic_block:
        with transaction.atomic(), conn.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
    else:
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
    assert row is not None  # noqa: S101 - INSERT … RETURNING always returns the row
    lead.pk = row[0]
    lead._state.adding = False
    lead._state.db = conn.alias
    event.lead = lead
    audit.target_id = str(lead.pk)
