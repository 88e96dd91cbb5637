"""The local AWS emulator (moto), one request at a time, with all-or-nothing
transactions that do not copy the table.

moto's DynamoDB runs TransactWriteItems by deep-copying the table, applying the
writes, and restoring the copy when a condition fails. Its server is threaded, so
a transaction that fails in one thread can restore a copy taken before another
thread's committed write, and that write is lost: something AWS never does. The
tests make such failures on purpose (two counters calling the same ticket, a
person taking two tickets), so the emulator must not interleave requests. Python
runs one thread at a time anyway; this serves each request whole under one lock
(connections stay concurrent, so keep-alive clients do not block each other).

With requests served one at a time, a transaction can check every condition
first and then write, as DynamoDB behaves, instead of writing item by item and
restoring a deep copy of the whole table on failure: that copy grows with the
table and made every transaction of a long test run slower than the last.

    python emulator.py -H 127.0.0.1 -p 5000
"""

import argparse
import os
import threading

from werkzeug.serving import run_simple

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)


def all_or_nothing(self, transact_items):
    """DynamoDB's TransactWriteItems: every condition checked, then every write
    made, or none (requests are serialized, so nothing changes in between)."""
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    seen = set()
    errors = []
    plan = []
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
            raise MockValidationException("Unsupported transaction operation")
        table_name = op["TableName"]
        table = self.get_table(table_name)
        if op_type == "Put":
            attrs = op["Item"]
            key = {table.hash_key_attr: attrs[table.hash_key_attr]}
            if table.range_key_attr is not None:
                key[table.range_key_attr] = attrs[table.range_key_attr]
        else:
            key = op["Key"]
        unique = (str(table_name), str(dict(sorted(key.items()))))
        if unique in seen:
            raise MultipleTransactionsException()
        seen.add(unique)
        current = self.get_item(table_name, key)
        condition = op.get("ConditionExpression")
        if condition is not None and not get_filter_expression(
            condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        ).expr(current):
            old = None
            if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                old = current.to_json()["Attributes"]
            errors.append(("ConditionalCheckFailed", "The conditional request failed", old))
        else:
            errors.append((None, None, None))
        plan.append((op_type, op, key))
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)
    for op_type, op, key in plan:
        if op_type == "Put":
            self.put_item(op["TableName"], op["Item"])
        elif op_type == "Delete":
            self.delete_item(op["TableName"], key)
        elif op_type == "Update":
            self.update_item(
                op["TableName"],
                key,
                update_expression=op["UpdateExpression"],
                expression_attribute_names=op.get("ExpressionAttributeNames"),
                expression_attribute_values=op.get("ExpressionAttributeValues"),
            )


def main():
    p = argparse.ArgumentParser()
    p.add_argument("-H", "--host", default="127.0.0.1")
    p.add_argument("-p", "--port", type=int, default=5000)
    a = p.parse_args()
    # As moto's own server does: some of its URLs name the port.
    os.environ.setdefault("MOTO_PORT", str(a.port))
    DynamoDBBackend.transact_write_items = all_or_nothing
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serialized(environ, start_response):
        with lock:
            # The whole body is produced inside the lock.
            return [b"".join(app(environ, start_response))]

    run_simple(a.host, a.port, serialized, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
