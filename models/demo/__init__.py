"""The demo company and the data generator (a site with months of history for the demo; a
whole company for the scale benchmark, bench/company.py). Apart from the product: nothing in
``api`` or the other ``models`` folders imports it except the demo command.

May import anything in ``models``.
"""
