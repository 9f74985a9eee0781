"""Fixtures of the Python client's tests.

The database comes from libpq's environment (PGHOST, PGPORT, PGUSER,
PGDATABASE: the run script's fresh database with the extension).  The
process is kept offline: any attempt to open a network socket (botocore
sending HTTP, a credentials lookup through the EC2 metadata service, a DNS
query) is refused and fails the test session.
"""

import socket

import psycopg2
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


def connect(**kwargs):
    """A connection to the test database (libpq's environment)."""
    return psycopg2.connect("", **kwargs)


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
