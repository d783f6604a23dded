"""German-aware search of the offer compass, the same on SQLite and PostgreSQL.

Documents and queries are folded (``lotse.core.text.fold``), compounds are
split into known parts, and the query is expanded with the maintained synonym
list and corrected against the vocabulary of the offers. PostgreSQL then
matches a weighted ``german`` tsvector (GIN index); SQLite matches an FTS5
table of Snowball stems. See ``query.py`` for the query language.
"""
