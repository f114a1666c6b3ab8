"""Accent- and case-insensitive matching of names, in Python and in the database.

Agents type "Conceicao" or "camara" for "Conceição" and "Câmara". ``fold``
replaces each Latin letter with a diacritic by its base letter and
lower-cases the result. The database function ``relaydesk_fold`` does the
same to a column, so a search compares folded text on both sides.
PostgreSQL gets the function from a migration (``translate`` and ``lower``),
SQLite from Python on each new connection (``register_sqlite_function``).
"""

from typing import Any

from django.db.models import CharField, Func

ACCENTED = "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿ"
PLAIN = "AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOOooooooUUUUuuuuYyy"
_TABLE = str.maketrans(ACCENTED, PLAIN)

FUNCTION_NAME = "relaydesk_fold"
POSTGRESQL_FUNCTION = (
    f"CREATE OR REPLACE FUNCTION {FUNCTION_NAME}(value text) RETURNS text "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
    f"AS $$ SELECT lower(translate(value, '{ACCENTED}', '{PLAIN}')) $$"
)


def fold(text: str) -> str:
    """Return ``text`` without Latin diacritics and in lower case: "Câmara" becomes "camara"."""
    return text.translate(_TABLE).lower()


class Fold(Func):
    """``relaydesk_fold(expression)``: the column's text as ``fold`` gives it."""

    function = FUNCTION_NAME
    output_field = CharField()


def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Give a new SQLite connection the ``relaydesk_fold`` function (``connection_created``)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FUNCTION_NAME, 1, _fold_or_null, deterministic=True)


def _fold_or_null(value: str | None) -> str | None:
    return None if value is None else fold(value)
