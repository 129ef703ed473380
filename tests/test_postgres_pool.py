"""The PostgreSQL pool hands out a connection that came back a moment ago without pinging it
(models/__init__.py PostgresPool). The connection here stands in for psycopg2's: it says its
transaction state and counts the statements sent, which is all the pool asks of it."""

import time

from psycopg2.extensions import TRANSACTION_STATUS_IDLE, TRANSACTION_STATUS_INTRANS

from models import PostgresPool


class DriverConnection:
    def __init__(self):
        self.closed = 0
        self.status = TRANSACTION_STATUS_IDLE
        self.sent = []

    def get_transaction_status(self):
        return self.status

    def cursor(self):
        connection = self

        class Cursor:
            def execute(self, sql, params=None):
                connection.sent.append(sql)

        return Cursor()

    def rollback(self):
        self.sent.append("ROLLBACK")
        self.status = TRANSACTION_STATUS_IDLE


def test_a_connection_back_a_moment_ago_goes_out_without_a_ping():
    pool = PostgresPool("xunjian")
    conn = DriverConnection()
    assert pool._can_reuse(conn) is True
    assert pool._is_closed(conn) is False
    assert conn.sent == []


def test_an_older_or_unknown_connection_is_pinged_as_peewee_does():
    pool = PostgresPool("xunjian")
    never_returned = DriverConnection()
    assert pool._is_closed(never_returned) is False and never_returned.sent == ["SELECT 1"]

    old = DriverConnection()
    pool._can_reuse(old)
    pool._returned_at[pool.conn_key(old)] = time.monotonic() - PostgresPool.TRUSTED_FOR - 1
    assert pool._is_closed(old) is False and old.sent == ["SELECT 1"]


def test_a_closed_or_busy_connection_is_not_trusted():
    pool = PostgresPool("xunjian")
    closed = DriverConnection()
    pool._can_reuse(closed)
    closed.closed = 1
    assert pool._is_closed(closed) is True

    busy = DriverConnection()
    pool._can_reuse(busy)
    busy.status = TRANSACTION_STATUS_INTRANS  # left in a transaction: peewee rolls it back
    assert pool._is_closed(busy) is False and busy.sent == ["ROLLBACK"]
