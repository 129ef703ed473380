"""Files in and out: photos (imaging.py), printed QR labels (labels.py), charts (charts.py),
Excel workbooks (exports.py), the reviewed checklist files in checklists/ (checklist_files.py),
where photos are kept (storage.py on disk, object_store.py in S3-compatible storage) and
backups of all of it (backup.py).

May import: ``models.rules``, the refusal (``models.refused``) and the vocabularies of
``models.tables.org`` (jobs, area types) that the files are checked against; no other table.
"""
