"""singletable.stream: the change stream as Lambda DynamoDB Streams events,
feeding a projection, acknowledged only after the handler, resuming exactly
after a restart, and exactly once with a checkpoint."""

from decimal import Decimal

import pytest
from boto3.dynamodb.types import TypeDeserializer

import singletable.boto
import singletable.stream
from conftest import DSN, connect, create_table
from seed_app import Users

TABLE = "stream_app"
QUICK = {"tables": TABLE, "idle_timeout": 0.4}


@pytest.fixture(scope="module")
def table(dynamodb, client):
    create_table(client, TABLE)
    yield dynamodb.Table(TABLE)
    client.delete_table(TableName=TABLE)


def image(typed):
    return TypeDeserializer().deserialize({"M": typed})


def sequence_numbers(events):
    return [r["dynamodb"]["SequenceNumber"] for e in events for r in e["Records"]]


def collect(slot, **options):
    """Consume until idle: the events, each acknowledged after it is kept."""
    events = []
    singletable.stream.run(lambda event, context: events.append(event), DSN, slot, **dict(QUICK, **options))
    return events


class OrderProjection:
    """A read model a Lambda trigger would keep: orders and shipped orders
    per user."""

    def __init__(self):
        self.orders = {}
        self.shipped = {}
        self.applied = []

    def __call__(self, event, context):
        for record in event["Records"]:
            self.applied.append(record["dynamodb"]["SequenceNumber"])
            if record["eventName"] == "REMOVE":
                continue
            new = image(record["dynamodb"]["NewImage"])
            if not new["SK"].startswith("ORDER#"):
                continue
            user = new["PK"][len("USER#"):]
            if record["eventName"] == "INSERT":
                self.orders[user] = self.orders.get(user, 0) + 1
            old = image(record["dynamodb"].get("OldImage", {}))
            if new["status"] == "shipped" and old.get("status") != "shipped":
                self.shipped[user] = self.shipped.get(user, 0) + 1


def test_records_are_lambda_dynamodb_stream_records(table, slot):
    table.put_item(Item={"PK": "USER#shape", "SK": "PROFILE", "n": Decimal("1.5"), "tags": ["a"]})
    table.update_item(
        Key={"PK": "USER#shape", "SK": "PROFILE"},
        UpdateExpression="SET n = :n",
        ExpressionAttributeValues={":n": 2},
    )
    table.delete_item(Key={"PK": "USER#shape", "SK": "PROFILE"})
    records = [r for e in collect(slot, region="eu-west-1") for r in e["Records"]]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    insert, modify, remove = records
    assert insert["eventSource"] == "aws:dynamodb"
    assert insert["awsRegion"] == "eu-west-1"
    assert insert["eventSourceARN"] == "arn:aws:dynamodb:eu-west-1:000000000000:table/%s/stream/%s" % (TABLE, slot)
    assert insert["eventVersion"] == "1.1"
    assert insert["dynamodb"]["Keys"] == {"PK": {"S": "USER#shape"}, "SK": {"S": "PROFILE"}}
    assert insert["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert image(insert["dynamodb"]["NewImage"]) == {"PK": "USER#shape", "SK": "PROFILE", "n": Decimal("1.5"), "tags": ["a"]}
    assert image(modify["dynamodb"]["OldImage"])["n"] == Decimal("1.5")
    assert image(modify["dynamodb"]["NewImage"])["n"] == Decimal(2)
    assert "NewImage" not in remove["dynamodb"] and image(remove["dynamodb"]["OldImage"])["n"] == 2
    assert isinstance(insert["dynamodb"]["ApproximateCreationDateTime"], int)
    seqs = [r["dynamodb"]["SequenceNumber"] for r in records]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3


def test_projection_resumes_after_restart(table, slot):
    users = Users(table)
    users.create("ann", "Ann", "ann@example.com")
    users.add_order("ann", "a1", "2026-11-01", "10.99")
    users.add_order("ann", "a2", "2026-11-02", "20.99")
    projection = OrderProjection()
    singletable.stream.run(projection, DSN, slot, **QUICK)
    assert projection.orders == {"ann": 2} and projection.shipped == {}
    first = list(projection.applied)
    assert len(first) == 3

    # the consumer is stopped; the application goes on; a new consumer
    # starts right after what the first one acknowledged
    users.create("bob", "Bob", "bob@example.com")
    users.add_order("bob", "b1", "2026-11-03", "30.99")
    users.ship("ann", "ORDER#2026-11-01#a1")
    restarted = OrderProjection()
    restarted.orders, restarted.shipped = projection.orders, projection.shipped
    singletable.stream.run(restarted, DSN, slot, **QUICK)
    assert projection.orders == {"ann": 2, "bob": 1}
    assert projection.shipped == {"ann": 1}
    everything = first + restarted.applied
    assert len(restarted.applied) == 3
    assert everything == sorted(everything) and len(set(everything)) == 6

    # and nothing is left
    assert collect(slot) == []


def test_failed_batch_comes_again(table, slot):
    for n in range(3):
        table.put_item(Item={"PK": "FAIL", "SK": str(n)})
    seen = []

    def handler(event, context):
        seen.append(sequence_numbers([event]))
        if len(seen) == 2:
            raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError):
        singletable.stream.run(handler, DSN, slot, batch_size=1, **QUICK)
    again = collect(slot, batch_size=1)
    # the first batch was acknowledged, the failed one was not
    assert sequence_numbers(again) == seen[1] + sequence_numbers(again)[1:]
    assert len(sequence_numbers(again)) == 2


def test_leaving_the_with_block_acknowledges_the_last_batch(table, slot):
    for n in range(3):
        table.put_item(Item={"PK": "BREAK", "SK": str(n)})
    with singletable.stream.consume(DSN, slot, batch_size=1, **QUICK) as consumer:
        for event in consumer:
            first = sequence_numbers([event])
            break
    rest = sequence_numbers(collect(slot))
    assert len(rest) == 2 and rest[0] > first[0]


def test_an_exception_in_the_with_block_leaves_the_batch_unacknowledged(table, slot):
    table.put_item(Item={"PK": "EXC", "SK": "1"})
    with pytest.raises(KeyError):
        with singletable.stream.consume(DSN, slot, **QUICK) as consumer:
            for event in consumer:
                first = sequence_numbers([event])
                raise KeyError("handler failed")
    assert sequence_numbers(collect(slot)) == first


def test_transactions_are_acknowledged_whole(client, table, slot):
    # one transaction of three items, handed out in batches of two: the
    # first batch ends inside the transaction, so acknowledging it confirms
    # nothing, and a restart delivers the whole transaction again
    client.transact_write_items(
        TransactItems=[{"Put": {"TableName": TABLE, "Item": {"PK": {"S": "TX"}, "SK": {"S": str(n)}}}} for n in range(3)]
    )
    with singletable.stream.consume(DSN, slot, batch_size=2, **QUICK) as consumer:
        for event in consumer:
            assert len(event["Records"]) == 2
            break
    events = collect(slot, batch_size=2)
    assert [len(e["Records"]) for e in events] == [2, 1]


@pytest.fixture
def projection_table(conn):
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE order_totals (pk text PRIMARY KEY, orders int NOT NULL, total numeric NOT NULL)")
    conn.commit()
    yield
    with conn.cursor() as cur:
        cur.execute("DROP TABLE order_totals")
    conn.commit()


def totals(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT pk, orders, total FROM order_totals ORDER BY pk")
        rows = cur.fetchall()
    conn.rollback()
    return rows


def sql_projection(conn, applied):
    """A handler that projects into SQL on the checkpoint connection."""

    def handler(event, context):
        with conn.cursor() as cur:
            for record in event["Records"]:
                applied.append(record["dynamodb"]["SequenceNumber"])
                new = image(record["dynamodb"].get("NewImage", {}))
                if record["eventName"] == "INSERT" and new["SK"].startswith("ORDER#"):
                    cur.execute(
                        "INSERT INTO order_totals VALUES (%s, 1, %s) ON CONFLICT (pk) DO UPDATE "
                        "SET orders = order_totals.orders + 1, total = order_totals.total + EXCLUDED.total",
                        (new["PK"], new["total"]),
                    )

    return handler


def test_exactly_once_with_a_checkpoint(monkeypatch, client, table, slot, projection_table):
    conn = connect()
    client.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": TABLE,
                    "Item": {"PK": {"S": "USER#eo"}, "SK": {"S": "ORDER#%d" % n}, "total": {"N": "1.25"}},
                }
            }
            for n in range(3)
        ]
    )
    applied = []
    handler = sql_projection(conn, applied)

    # 1. the handler fails after writing: its writes and the checkpoint are
    # rolled back together
    def failing(event, context):
        handler(event, context)
        raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError):
        singletable.stream.run(failing, DSN, slot, checkpoint=conn, batch_size=2, **QUICK)
    assert totals(conn) == []

    # 2. the first batch (two records, inside the transaction) commits, then
    # the consumer dies: the transaction has not ended, so the slot's
    # position stays before it
    write_checkpoint = singletable.stream.Consumer._write_checkpoint

    def commit_then_die(self, sequence, lsn):
        write_checkpoint(self, sequence, lsn)
        raise SystemExit("consumer killed")

    with monkeypatch.context() as mp:
        mp.setattr(singletable.stream.Consumer, "_write_checkpoint", commit_then_die)
        with pytest.raises(SystemExit):
            singletable.stream.run(handler, DSN, slot, checkpoint=conn, batch_size=2, **QUICK)
    assert totals(conn) == [("USER#eo", 2, Decimal("2.50"))]

    # 3. the server sends the whole transaction again; the checkpoint skips
    # what was applied
    applied.clear()
    singletable.stream.run(handler, DSN, slot, checkpoint=conn, batch_size=2, **QUICK)
    assert len(applied) == 1
    assert totals(conn) == [("USER#eo", 3, Decimal("3.75"))]

    # 4. a later write; the consumer dies after committing it and before the
    # acknowledgement reaches the server: the restart does not apply it again
    table.put_item(Item={"PK": "USER#eo", "SK": "ORDER#9", "total": Decimal("5")})
    applied.clear()

    def die(self, lsn):
        raise SystemExit("consumer killed")

    with monkeypatch.context() as mp:
        mp.setattr(singletable.stream.Consumer, "_send_feedback", die)
        with pytest.raises(SystemExit):
            singletable.stream.run(handler, DSN, slot, checkpoint=conn, **QUICK)
    singletable.stream.run(handler, DSN, slot, checkpoint=conn, **QUICK)
    assert len(applied) == 1
    assert totals(conn) == [("USER#eo", 4, Decimal("8.75"))]
    # the checkpoint row is apply_changes' own
    with conn.cursor() as cur:
        cur.execute("SELECT sequence_number FROM singletable.stream_checkpoints WHERE slot_name = %s", (slot,))
        assert cur.fetchone()[0] == applied[0]
    conn.close()


def test_exactly_once_handler_writes_through_boto3(table, slot):
    # the handler writes a projection item with boto3 on the checkpoint
    # connection: the write joins the batch's transaction
    conn = connect()
    projection = singletable.boto.resource(conn).Table(TABLE)
    table.put_item(Item={"PK": "USER#view", "SK": "ORDER#1", "total": Decimal("3")})

    def handler(event, context):
        for record in event["Records"]:
            new = image(record["dynamodb"]["NewImage"])
            if new["PK"] == "USER#view":
                projection.update_item(
                    Key={"PK": "VIEW", "SK": "COUNT"},
                    UpdateExpression="ADD orders :one",
                    ExpressionAttributeValues={":one": 1},
                )
                raise RuntimeError("fail after the write")

    with pytest.raises(RuntimeError):
        singletable.stream.run(handler, DSN, slot, checkpoint=conn, **QUICK)
    assert "Item" not in table.get_item(Key={"PK": "VIEW", "SK": "COUNT"})
    conn.close()


def test_checkpoint_connection_must_not_autocommit():
    c = connect()
    c.autocommit = True
    with pytest.raises(ValueError):
        singletable.stream.consume(DSN, "any", checkpoint=c)
    c.close()
