"""Domain rules as plain functions over plain values: no Flask, no peewee, no I/O."""
