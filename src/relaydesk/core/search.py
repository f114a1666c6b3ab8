"""Full-text search of a text column: SQLite FTS5 and PostgreSQL text search behind one interface.

A ``TextIndex`` names a table and one of its text columns. Its migration
calls ``create`` (and ``drop`` to go back), and a query narrows the table's
rows with ``matching(text)``:

- On PostgreSQL the index is a GIN expression index over the column's
  words, without accents and in lower case (``relaydesk_search_words``,
  through the ``unaccent`` extension).
- On SQLite it is a contentless FTS5 table whose rowid is the row's key,
  kept in step by triggers, with the ``unicode61`` tokenizer, which also
  removes accents and case.

Every word of the search must begin a word of the text: "camara munic"
finds "Câmara Municipal", and "voice" does not find "invoice". Words are
runs of letters and digits on both sides. Only the first
``INDEXED_CHARACTERS`` characters of a text are indexed, because a
PostgreSQL text-search vector is limited to 1 MB.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Expression, F
from django.db.models.sql.compiler import SQLCompiler

INDEXED_CHARACTERS = 100_000
# A search uses its first MAX_WORDS words, because more words would only
# narrow a result that is already small.
MAX_WORDS = 16

WORDS_FUNCTION = "relaydesk_search_words"
QUERY_FUNCTION = "relaydesk_search_query"
CONFIGURATION = "relaydesk_search"

# The unaccent extension's dictionary removes accents from each word before
# the simple dictionary lower-cases it. That costs about half of folding the
# whole text with relaydesk_fold, whose translate() is slow on UTF-8 text.
POSTGRESQL_EXTENSION = "CREATE EXTENSION IF NOT EXISTS unaccent"
WORD_TOKENS = (
    "asciiword, word, numword, asciihword, hword, numhword, "
    "hword_asciipart, hword_part, hword_numpart"
)
POSTGRESQL_FUNCTIONS = (
    f"CREATE TEXT SEARCH CONFIGURATION {CONFIGURATION} (COPY = simple)",
    f"ALTER TEXT SEARCH CONFIGURATION {CONFIGURATION} "
    f"ALTER MAPPING FOR {WORD_TOKENS} WITH unaccent, simple",
    # Punctuation separates words, as it does for SQLite's tokenizer.
    f"CREATE OR REPLACE FUNCTION {WORDS_FUNCTION}(value text) RETURNS tsvector "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT "
    f"to_tsvector('{CONFIGURATION}'::regconfig, regexp_replace("
    f"left(value, {INDEXED_CHARACTERS}), '[[:punct:][:space:]]+', ' ', 'g')) $$",
    # Each word of the search, split and folded as the text is, must begin
    # a word of the text.
    f"CREATE OR REPLACE FUNCTION {QUERY_FUNCTION}(value text) RETURNS tsquery "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT coalesce("
    "string_agg(quote_literal(word) || ':*', ' & '), '')::tsquery "
    f"FROM unnest(tsvector_to_array({WORDS_FUNCTION}(value))) AS word $$",
)
DROP_POSTGRESQL_FUNCTIONS = (
    f"DROP FUNCTION IF EXISTS {QUERY_FUNCTION}(text)",
    f"DROP FUNCTION IF EXISTS {WORDS_FUNCTION}(text)",
    f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIGURATION}",
)


def search_words(text: str) -> list[str]:
    """Return the words of a search: runs of letters or digits, at most ``MAX_WORDS``.

    Punctuation separates words, as it does in the indexed text on both
    databases, so "saf-t" is the two words "saf" and "t".
    """
    return re.findall(r"[^\W_]+", text)[:MAX_WORDS]


@dataclass(frozen=True)
class TextIndex:
    """A full-text index over ``column`` of ``table``, whose key column is ``key``."""

    table: str
    column: str
    key: str = "id"

    @property
    def name(self) -> str:
        return f"{self.table}_{self.column}_search"

    def create(self, schema_editor: Any) -> None:
        """Create the index and fill it from the rows already stored (a migration step)."""
        for statement in self._create_statements(schema_editor.connection.vendor):
            schema_editor.execute(statement)

    def drop(self, schema_editor: Any) -> None:
        """Remove the index (a migration step going back)."""
        for statement in self._drop_statements(schema_editor.connection.vendor):
            schema_editor.execute(statement)

    def matching(self, text: str) -> "Matches | None":
        """Return a filter for the rows whose text has every word of ``text``, or None.

        None means the search has no word to look for (only punctuation).
        """
        words = search_words(text)
        return Matches(self, words) if words else None

    def _create_statements(self, vendor: str) -> list[str]:
        if vendor == "postgresql":
            return [
                f"CREATE INDEX {self.name} ON {self.table} USING gin ({self._vector(self.column)})"
            ]
        fts, indexed = self.name, self._sqlite_text("new")
        return [
            f"CREATE VIRTUAL TABLE {fts} USING fts5(words, content='', "
            "tokenize='unicode61 remove_diacritics 2')",
            f"INSERT INTO {fts} (rowid, words) SELECT {self.key}, "
            f"substr({self.column}, 1, {INDEXED_CHARACTERS}) FROM {self.table}",
            f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {self.table} BEGIN "
            f"INSERT INTO {fts} (rowid, words) VALUES (new.{self.key}, {indexed}); END",
            f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {self.table} BEGIN "
            f"{self._sqlite_forget('old')}; END",
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {self.column} ON {self.table} BEGIN "
            f"{self._sqlite_forget('old')}; "
            f"INSERT INTO {fts} (rowid, words) VALUES (new.{self.key}, {indexed}); END",
        ]

    def _drop_statements(self, vendor: str) -> list[str]:
        if vendor == "postgresql":
            return [f"DROP INDEX IF EXISTS {self.name}"]
        triggers = [f"{self.name}_{event}" for event in ("insert", "delete", "update")]
        return [
            *(f"DROP TRIGGER IF EXISTS {trigger}" for trigger in triggers),
            f"DROP TABLE IF EXISTS {self.name}",
        ]

    def _sqlite_text(self, row: str) -> str:
        return f"substr({row}.{self.column}, 1, {INDEXED_CHARACTERS})"

    def _sqlite_forget(self, row: str) -> str:
        # A contentless FTS5 table removes a row only when given the words it indexed.
        return (
            f"INSERT INTO {self.name} ({self.name}, rowid, words) "
            f"VALUES ('delete', {row}.{self.key}, {self._sqlite_text(row)})"
        )

    @staticmethod
    def _vector(column_sql: str) -> str:
        return f"{WORDS_FUNCTION}({column_sql})"


class Matches(Expression):
    """``True`` for the rows of a ``TextIndex``'s table whose text has every search word."""

    output_field = BooleanField()

    def __init__(self, index: TextIndex, words: list[str]) -> None:
        super().__init__()
        self.index = index
        self.words = words
        # PostgreSQL reads the text column, SQLite the key; both are resolved
        # by Django, so they carry the alias the query gives the table.
        self.column: Any = F(index.column)
        self.key: Any = F(index.key)

    def get_source_expressions(self) -> list[Any]:
        return [self.column, self.key]

    def set_source_expressions(self, exprs: list[Any]) -> None:
        self.column, self.key = exprs

    def as_postgresql(self, compiler: SQLCompiler, connection: Any) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.column)
        # Written as the index is, so the planner uses it.
        sql = f"{self.index._vector(column)} @@ {QUERY_FUNCTION}(%s)"
        return sql, [*params, " ".join(self.words)]

    def as_sqlite(self, compiler: SQLCompiler, connection: Any) -> tuple[str, list[Any]]:
        key, params = compiler.compile(self.key)
        # Quoted, a word is never read as an operator (AND, NEAR).
        query = " ".join(f'"{word}"*' for word in self.words)
        sql = f"{key} IN (SELECT rowid FROM {self.index.name} WHERE {self.index.name} MATCH %s)"
        return sql, [*params, query]

    def as_sql(self, compiler: SQLCompiler, connection: Any) -> tuple[str, list[Any]]:
        raise NotImplementedError(f"full-text search does not support {connection.vendor}")
