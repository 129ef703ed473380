"""Record-keeping: the work one request or one minute's tick does across tables, in one
transaction: recording scans and judging rounds (patrol_records), inspections and their
rectifications, greeting shifts and the rota, the monthly HR records, follow-ups on their
promises' clocks, inspection plans, staff imports, and the alert queue with its posting. The
rules they apply are plain functions in ``models.rules``; the SQL of the hottest path
(a scan) is written by hand in hot_sql.py, and storing an offline write once in store_once.py.

May import: ``models`` (database, write locks, the refusal), ``models.rules``,
``models.tables`` and ``models.files``. No Flask request objects: the API passes what it read.
"""
