"""What the boto3 adapter and the stream consumer cost, on the database
given by libpq's environment (PGHOST, PGPORT, PGUSER, PGDATABASE; the
extension installed, wal_level logical):

    PYTHONPATH=src/clients/python /usr/bin/python3 src/clients/python/bench.py

Per call, median of interleaved rounds: boto3's Table.get_item / put_item
through the adapter, and within it the time spent in the database call and
in the adapter's own Python code (the handler less the database call); the
same request as one psycopg2 execute() call; and boto3 answered by a canned
response without the database (botocore's own share).  Then the stream
consumer's rate over 20,000 records.
"""

import json
import statistics
import time

import boto3
import botocore
import psycopg2

import singletable.boto
import singletable.stream

TABLE = "bench_python"
ROUNDS, CALLS, RECORDS = 7, 500, 20000


def per_call(fn):
    start = time.perf_counter()
    for i in range(CALLS):
        fn(i)
    return (time.perf_counter() - start) / CALLS * 1000


def key(i):
    return {"PK": "U#%d" % (i % 100), "SK": "S#%d" % i}


def typed(item):
    return {k: {"N": str(v)} if isinstance(v, int) else {"S": v} for k, v in item.items()}


def main():
    conn = psycopg2.connect("")
    client = singletable.boto.client(conn)
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
    )
    try:
        run(conn)
    finally:
        client.delete_table(TableName=TABLE)
        conn.close()


class Timed:
    """Time spent in the adapter's handler and in its database call."""

    def __init__(self):
        self.handler = self.database = 0.0
        call, run = singletable.boto.Sender.__call__, singletable.boto.Sender._run

        def timed_call(sender, request, **kwargs):
            start = time.perf_counter()
            try:
                return call(sender, request, **kwargs)
            finally:
                self.handler += time.perf_counter() - start

        def timed_run(conn, operation, body):
            start = time.perf_counter()
            try:
                return run(conn, operation, body)
            finally:
                self.database += time.perf_counter() - start

        singletable.boto.Sender.__call__ = timed_call
        singletable.boto.Sender._run = staticmethod(timed_run)


def run(conn):
    timed = Timed()
    table = singletable.boto.resource(conn).Table(TABLE)
    # botocore's share: the same calls answered "{}" by a handler, unsigned
    canned = boto3.resource(
        "dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    ).Table(TABLE)
    events = canned.meta.client.meta.events
    stub = singletable.boto.Sender.response
    events.register("before-send.dynamodb", lambda request, **kw: stub(request.url, "{}", None))
    events.register("choose-signer.dynamodb", lambda **kw: botocore.UNSIGNED)
    sql = psycopg2.connect("")
    sql.autocommit = True
    cur = sql.cursor()

    def direct(operation, body):
        cur.execute(
            "SELECT singletable.execute(%s, %s::jsonb, raise_errors => false)::text", (operation, json.dumps(body))
        )
        cur.fetchone()

    cases = {
        "PutItem via boto3 + adapter": lambda i: table.put_item(Item=dict(key(i), n=i)),
        "PutItem as one psycopg2 execute()": lambda i: direct(
            "PutItem", {"TableName": TABLE, "Item": typed(dict(key(i), n=i))}
        ),
        "PutItem via boto3, canned answer": lambda i: canned.put_item(Item=dict(key(i), n=i)),
        "GetItem via boto3 + adapter": lambda i: table.get_item(Key=key(i)),
        "GetItem as one psycopg2 execute()": lambda i: direct("GetItem", {"TableName": TABLE, "Key": typed(key(i))}),
        "GetItem via boto3, canned answer": lambda i: canned.get_item(Key=key(i)),
    }
    times = {name: [] for name in cases}
    for name in cases:
        if "adapter" in name:
            times[name + ": database call"] = []
            times[name + ": adapter's Python"] = []
    for _ in range(ROUNDS):
        for name, fn in cases.items():
            timed.handler = timed.database = 0.0
            times[name].append(per_call(fn))
            if "adapter" in name:
                times[name + ": database call"].append(timed.database / CALLS * 1000)
                times[name + ": adapter's Python"].append((timed.handler - timed.database) / CALLS * 1000)
    for name, samples in times.items():
        print("%-50s %6.3f ms/call" % (name, statistics.median(samples)))
    print("(medians of %d interleaved rounds of %d calls)" % (ROUNDS, CALLS))

    cur.execute("SELECT pg_create_logical_replication_slot('bench_python', 'singletable')")
    try:
        with table.batch_writer() as batch:
            for i in range(RECORDS):
                batch.put_item(Item={"PK": "S#%d" % (i % 50), "SK": "X#%d" % i, "v": i})
        idle = 0.5
        count = 0
        start = time.perf_counter()
        with singletable.stream.consume("", "bench_python", tables=TABLE, idle_timeout=idle) as consumer:
            for event in consumer:
                count += len(event["Records"])
        elapsed = time.perf_counter() - start - idle
        print("stream consumer: %d records in %.2f s, %.0f records/s" % (count, elapsed, count / elapsed))
    finally:
        time.sleep(0.5)
        cur.execute("SELECT pg_drop_replication_slot('bench_python')")
        sql.close()


if __name__ == "__main__":
    main()
