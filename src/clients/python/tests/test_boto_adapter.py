"""singletable.boto itself: the responses it builds, the transactions it
uses, the errors it passes on, and that nothing leaves the process."""

import re
import zlib

import boto3
import botocore.config
import botocore.exceptions
import psycopg2
import psycopg2.errors
import pytest

import singletable.boto
from conftest import connect, create_table

TABLE = "adapter_app"


@pytest.fixture(scope="module")
def table(dynamodb, client):
    create_table(client, TABLE, indexes=())
    yield dynamodb.Table(TABLE)
    client.delete_table(TableName=TABLE)


@pytest.fixture
def other():
    """A second connection, to see what was committed."""
    c = connect()
    c.autocommit = True
    yield c
    c.close()


def committed(other, pk):
    with other.cursor() as cur:
        cur.execute("SELECT count(*) FROM %s WHERE item->>'PK' = %%s" % TABLE, (pk,))
        return cur.fetchone()[0]


def status(conn):
    return conn.info.transaction_status


def test_http_response_has_request_id_and_crc32(client, table):
    seen = []
    client.meta.events.register(
        "after-call.dynamodb.GetItem",
        lambda http_response, **kw: seen.append((http_response.status_code, http_response.headers, http_response.content)),
    )
    client.get_item(TableName=TABLE, Key={"PK": {"S": "none"}, "SK": {"S": "none"}})
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_item(TableName="no_such_table", Key={"PK": {"S": "x"}})
    assert [s for s, _, _ in seen] == [200, 400]
    for _, headers, body in seen:
        assert int(headers["x-amz-crc32"]) == zlib.crc32(body)
        assert re.fullmatch(r"[0-9A-Z]{52}", headers["x-amzn-RequestId"])
        assert headers["Content-Type"] == "application/x-amz-json-1.0"
    assert seen[0][2] == b"{}"


def test_request_id_reaches_response_metadata(table):
    meta = table.put_item(Item={"PK": "meta", "SK": "1"})["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 200
    assert re.fullmatch(r"[0-9A-Z]{52}", meta["RequestId"])
    assert meta["RetryAttempts"] == 0


def test_server_error_types_answer_500():
    response = singletable.boto.Sender.response(
        "https://x", '{"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError"}', "com.amazonaws.dynamodb.v20120810#InternalServerError"
    )
    assert response.status_code == 500
    response = singletable.boto.Sender.response("https://x", '{"__type": "x#ValidationException"}', "x#ValidationException")
    assert response.status_code == 400


def test_validation_exception(table):
    with pytest.raises(botocore.exceptions.ClientError) as error:
        table.query(KeyConditionExpression="PK = :pk AND", ExpressionAttributeValues={":pk": "x"})
    assert error.value.response["Error"]["Code"] == "ValidationException"


def test_unknown_operation(client):
    # an operation botocore knows and singletable does not answer
    with pytest.raises(botocore.exceptions.ClientError) as error:
        client.list_global_tables()
    assert error.value.response["Error"]["Code"] == "UnknownOperationException"


def test_describe_endpoints(client):
    endpoints = client.describe_endpoints()["Endpoints"]
    assert endpoints and "Address" in endpoints[0]


def test_idle_connection_commits_each_call(conn, table, other):
    assert status(conn) == 0
    table.put_item(Item={"PK": "idle", "SK": "1"})
    assert committed(other, "idle") == 1
    assert status(conn) == 0
    # a failed condition leaves it idle too
    with pytest.raises(table.meta.client.exceptions.ConditionalCheckFailedException):
        table.put_item(Item={"PK": "idle", "SK": "1"}, ConditionExpression="attribute_not_exists(PK)")
    assert status(conn) == 0


def test_idle_connection_stays_out_of_autocommit(conn, table):
    # the call may run in autocommit mode; the connection is given back as it was
    table.get_item(Key={"PK": "idle", "SK": "1"})
    with pytest.raises(table.meta.client.exceptions.ResourceNotFoundException):
        singletable.boto.resource(conn).Table("no_such_table").get_item(Key={"PK": "x"})
    assert conn.autocommit is False and status(conn) == 0


def test_session_characteristics_are_kept(table):
    c = connect()
    c.set_session(readonly=True)
    t = singletable.boto.resource(c).Table(TABLE)
    with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
        t.put_item(Item={"PK": "readonly", "SK": "1"})
    assert status(c) == 0 and c.autocommit is False
    assert t.get_item(Key={"PK": "readonly", "SK": "1"}).get("Item") is None
    c.close()


def test_calls_join_an_open_transaction(conn, table, other):
    with conn.cursor() as cur:
        cur.execute("SELECT 1")  # psycopg2 opened a transaction
    table.put_item(Item={"PK": "joined", "SK": "1"})
    assert committed(other, "joined") == 0
    conn.rollback()
    assert table.get_item(Key={"PK": "joined", "SK": "1"}).get("Item") is None


def test_transaction_block_commits_sql_and_dynamodb_together(conn, table, other):
    with singletable.boto.transaction(conn):
        table.put_item(Item={"PK": "block", "SK": "1"})
        with conn.cursor() as cur:
            cur.execute("SELECT singletable.put_item(%s, '{\"PK\": \"block\", \"SK\": \"2\"}')", (TABLE,))
        assert committed(other, "block") == 0
    assert committed(other, "block") == 2
    assert status(conn) == 0


def test_transaction_block_rolls_back_on_exception(conn, table, other):
    with pytest.raises(ZeroDivisionError):
        with singletable.boto.transaction(conn):
            table.put_item(Item={"PK": "undone", "SK": "1"})
            1 / 0
    assert committed(other, "undone") == 0
    assert status(conn) == 0


def test_dynamodb_error_inside_a_transaction_keeps_it_usable(conn, table, other):
    errors = table.meta.client.exceptions
    with singletable.boto.transaction(conn):
        table.put_item(Item={"PK": "keep", "SK": "1", "n": 1})
        with pytest.raises(errors.ConditionalCheckFailedException):
            table.update_item(
                Key={"PK": "keep", "SK": "1"},
                UpdateExpression="SET n = :two",
                ConditionExpression="n = :zero",
                ExpressionAttributeValues={":two": 2, ":zero": 0},
            )
        table.put_item(Item={"PK": "keep", "SK": "2"})
    assert committed(other, "keep") == 2
    assert table.get_item(Key={"PK": "keep", "SK": "1"})["Item"]["n"] == 1


def test_nul_character_is_a_validation_exception(conn, table, other):
    # jsonb cannot hold U+0000: the adapter answers as DynamoDB answers a
    # value it refuses, and the caller's transaction goes on.
    with singletable.boto.transaction(conn):
        table.put_item(Item={"PK": "nul", "SK": "1"})
        with pytest.raises(botocore.exceptions.ClientError) as error:
            table.put_item(Item={"PK": "nul", "SK": "2", "s": "a\x00b"})
        table.put_item(Item={"PK": "nul", "SK": "3", "s": "a\\u0000b"})
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert "U+0000" in error.value.response["Error"]["Message"]
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert committed(other, "nul") == 2
    assert table.get_item(Key={"PK": "nul", "SK": "3"})["Item"]["s"] == "a\\u0000b"


def test_autocommit_connection(table, other):
    c = connect()
    c.autocommit = True
    try:
        t = singletable.boto.resource(c).Table(TABLE)
        t.put_item(Item={"PK": "auto", "SK": "1"})
        assert committed(other, "auto") == 1
        with singletable.boto.transaction(c):
            t.put_item(Item={"PK": "auto", "SK": "2"})
            assert committed(other, "auto") == 1
        assert committed(other, "auto") == 2
    finally:
        c.close()


def test_database_errors_are_raised_not_retried(table):
    c = connect()
    t = singletable.boto.resource(c).Table(TABLE)
    c.close()
    with pytest.raises(psycopg2.InterfaceError):
        t.put_item(Item={"PK": "closed", "SK": "1"})


@pytest.fixture
def locked_item(table):
    """An item another session holds locked."""
    table.put_item(Item={"PK": "locked", "SK": "1"})
    holder = connect()
    with holder.cursor() as cur:
        cur.execute("SELECT 1 FROM %s WHERE item->>'PK' = 'locked' FOR UPDATE" % TABLE)
    yield {"PK": "locked", "SK": "1"}
    holder.rollback()
    holder.close()


def test_lock_timeout_is_request_limit_exceeded(locked_item):
    c = connect()
    with c.cursor() as cur:
        cur.execute("SET lock_timeout = '50ms'")
    c.commit()
    no_retries = botocore.config.Config(retries={"max_attempts": 0})
    t = singletable.boto.resource(c, config=no_retries).Table(TABLE)
    with pytest.raises(botocore.exceptions.ClientError) as error:
        t.put_item(Item=dict(locked_item, n=1))
    assert error.value.response["Error"]["Code"] == "RequestLimitExceeded"
    assert "lock" in error.value.response["Error"]["Message"]
    assert status(c) == 0

    # inside the caller's transaction the transaction is lost: the driver's
    # error, for the caller to roll back
    with pytest.raises(psycopg2.errors.LockNotAvailable):
        with singletable.boto.transaction(c):
            t.put_item(Item=dict(locked_item, n=2))
    assert status(c) == 0
    c.close()


def test_offline_without_any_aws_configuration(monkeypatch, table, conn):
    # no region, no credentials anywhere: the helper's client needs neither
    for name in ("AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    c = singletable.boto.client(conn)
    assert c.list_tables()["TableNames"].count(TABLE) == 1


def test_attach_takes_a_table_and_switches_connections(table, other):
    t = boto3.resource("dynamodb").Table(TABLE)
    c1 = connect()
    singletable.boto.attach(t, c1)
    with singletable.boto.transaction(c1):
        t.put_item(Item={"PK": "switch", "SK": "1"})
        # attached again to an autocommit connection: the next call commits
        # on its own while c1's transaction is still open
        singletable.boto.attach(t, other)
        t.put_item(Item={"PK": "switch", "SK": "2"})
        assert committed(other, "switch") == 1
    assert committed(other, "switch") == 2
    c1.close()


def test_attach_to_a_session_attaches_its_later_clients(table, conn):
    session = boto3.Session()
    singletable.boto.attach(session, conn)
    assert session.resource("dynamodb").Table(TABLE).get_item(Key={"PK": "none", "SK": "none"}).get("Item") is None
    singletable.boto.detach(session)
    # detached, the next client would talk HTTP: the offline guard refuses it
    with pytest.raises(Exception):
        session.client("dynamodb", config=botocore.config.Config(retries={"max_attempts": 0})).list_tables()
    from conftest import network_attempts

    assert network_attempts.pop()
    network_attempts.clear()


def test_attach_refuses_other_services():
    with pytest.raises(TypeError):
        singletable.boto.attach(boto3.client("s3"), None)
