"""The tables: one peewee model per table, grouped by what they describe (the organisation,
accounts, patrols, inspections, greeting, follow-up promises...), the migrations that build
them (schema.py), and the small readers that only touch their own tables (a site's signing
key, its own promises).

May import: the database (``models``), ``models.rules`` and the file formats of
``models.files`` that a column is defined by (a checklist file's hash, a photo's perceptual
hash). Never ``models.records``: a table does not know the work done with it.
"""
