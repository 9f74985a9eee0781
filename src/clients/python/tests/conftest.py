"""Fixtures of the Python client's tests.

The database comes from libpq's environment (PGHOST, PGPORT, PGUSER,
PGDATABASE: the run script's fresh database with the extension).  The
process is kept offline: any attempt to open a network socket (botocore
sending HTTP, a credentials lookup through the EC2 metadata service, a DNS
query) is refused and fails the test session.
"""

import itertools
import socket
import time

import psycopg2
import psycopg2.errors
import pytest

import singletable.boto

network_attempts = []


def _refuse(what):
    network_attempts.append(what)
    raise OSError("network access attempted by a test: %r" % (what,))


@pytest.fixture(scope="session", autouse=True)
def offline():
    real_connect = socket.socket.connect

    def connect(sock, address):
        if sock.family != socket.AF_UNIX:
            _refuse(address)
        return real_connect(sock, address)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", connect)
        mp.setattr(socket, "getaddrinfo", lambda *a, **k: _refuse(a[:2]))
        # What a DynamoDB application has in its environment: a region and
        # credentials (dummy ones do: nothing is signed); no config files.
        mp.setenv("AWS_DEFAULT_REGION", "eu-west-1")
        mp.setenv("AWS_ACCESS_KEY_ID", "test")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "test")
        mp.setenv("AWS_CONFIG_FILE", "/nonexistent")
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        yield
    assert network_attempts == [], "network access was attempted"


DSN = ""  # libpq's environment
_slots = itertools.count(1)


def connect(**kwargs):
    """A connection to the test database."""
    return psycopg2.connect(DSN, **kwargs)


@pytest.fixture
def slot():
    """A fresh slot of the singletable plugin, dropped afterwards with its
    checkpoint."""
    name = "py_stream_%d" % next(_slots)
    admin = connect()
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT pg_create_logical_replication_slot(%s, 'singletable')", (name,))
    yield name
    deadline = time.monotonic() + 10
    with admin.cursor() as cur:
        while True:
            try:
                cur.execute("SELECT pg_drop_replication_slot(%s)", (name,))
                break
            except psycopg2.errors.ObjectInUse:  # the walsender is exiting
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        cur.execute("DELETE FROM singletable.stream_checkpoints WHERE slot_name = %s", (name,))
    admin.close()


@pytest.fixture(scope="module")
def conn():
    c = connect()
    yield c
    c.close()


@pytest.fixture(scope="module")
def dynamodb(conn):
    """boto3's resource, attached to the module's connection."""
    import boto3

    resource = boto3.resource("dynamodb")
    singletable.boto.attach(resource, conn)
    return resource


@pytest.fixture(scope="module")
def client(conn):
    """boto3's low-level client (typed values), attached to the same
    connection.  (The resource's own client, dynamodb.meta.client, takes
    plain Python values.)"""
    import boto3

    c = boto3.client("dynamodb")
    singletable.boto.attach(c, conn)
    return c


def create_table(client, name, indexes=("GSI1",)):
    """The seed's table layout, created the way a DynamoDB team does."""
    attrs = [{"AttributeName": "PK", "AttributeType": "S"}, {"AttributeName": "SK", "AttributeType": "S"}]
    gsis = []
    for index in indexes:
        attrs += [
            {"AttributeName": index + "PK", "AttributeType": "S"},
            {"AttributeName": index + "SK", "AttributeType": "S"},
        ]
        gsis.append(
            {
                "IndexName": index,
                "KeySchema": [
                    {"AttributeName": index + "PK", "KeyType": "HASH"},
                    {"AttributeName": index + "SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        )
    kwargs = {"GlobalSecondaryIndexes": gsis} if gsis else {}
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=attrs,
        BillingMode="PAY_PER_REQUEST",
        **kwargs,
    )
    client.get_waiter("table_exists").wait(TableName=name)
