"""boto3 and botocore over a PostgreSQL connection, without an HTTP server.

attach(client_or_resource, connection) registers a botocore ``before-send``
handler on a DynamoDB client (or on the client behind a boto3 resource or
Table, or on a session for the clients it makes later).  botocore builds and validates each request as usual; the handler
answers it by calling ``singletable.execute(operation, request,
raise_errors => false)`` on the connection and hands botocore an HTTP
response built from the result (status 200, or 400/500 for DynamoDB's
error bodies), so the request never leaves the process and boto3's own
parsing, ``Decimal`` numbers, paginators, ``batch_writer`` and typed
exceptions (``client.exceptions.ConditionalCheckFailedException``) work as
against DynamoDB.  Requests are not signed: the connection's role is what
the database authorizes.

Transactions (the contract the README documents):

* connection idle (no transaction open): the call is its own transaction,
  committed before the call returns, as a DynamoDB write is durable when
  its call returns;
* a transaction open on the connection (SQL ran since the last commit, or
  ``with transaction(connection):``): the call joins it and the caller
  commits or rolls back.  A DynamoDB error (a failed condition, a cancelled
  transaction) undoes only that request and leaves the transaction usable.

A serialization failure or deadlock, a statement timeout or a lock timeout
ends the transaction: when the call was its own transaction it is answered
as DynamoDB would (TransactionConflictException, RequestLimitExceeded); in
the caller's transaction the driver's exception is raised, since the caller
must roll back.  Anything else that is not a DynamoDB error (the connection
broke, an internal error) is raised as the driver's exception.

Works with psycopg2 connections (any connection object with ``cursor()``,
``commit()``, ``rollback()``, ``autocommit`` and ``info.transaction_status``).
"""

import contextlib
import json
import re
import secrets
import zlib

import botocore
from botocore.awsrequest import AWSResponse

__all__ = ["attach", "detach", "client", "resource", "transaction"]

# libpq's PQtransactionStatus values, as psycopg2 reports them.
_IDLE = 0
_INERROR = 3

_HANDLER_ID = "singletable-before-send"
_SIGNER_ID = "singletable-unsigned"

# The execute() result as text (passed to botocore as the body unchanged)
# and its error type, if any.  Everything is schema-qualified: the caller's
# search_path cannot redirect it.
_EXECUTE_SQL = (
    "SELECT r::pg_catalog.text, r OPERATOR(pg_catalog.->>) '__type' "
    "FROM singletable.execute(%s, %s::pg_catalog.jsonb, raise_errors => false) AS r"
)

# A string holding U+0000 (the JSON escape \u0000, its backslash not itself
# escaped): PostgreSQL's jsonb cannot hold it and its input refuses it
# (22P05) before execute() runs, which would abort the caller's transaction.
# The request is answered here instead, as DynamoDB answers a value it
# refuses (README, "Limits").
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
_NUL_TYPE = "com.amazon.coral.validate#ValidationException"
_NUL_ANSWER = (
    json.dumps({
        "__type": _NUL_TYPE,
        "message": "One or more parameter values were invalid: "
        "A string value holds the character U+0000, which singletable cannot store",
    }),
    _NUL_TYPE,
)

# Error types DynamoDB answers with a 5xx status; every other one is a 400.
_SERVER_ERRORS = ("InternalServerError", "ServiceUnavailable", "InternalFailure")


def _dynamodb_client(client_or_resource):
    """The botocore client of a client, a resource or a Table."""
    meta = getattr(client_or_resource, "meta", None)
    client = getattr(meta, "client", client_or_resource)
    service = getattr(getattr(client, "meta", None), "service_model", None)
    if service is None or service.service_name != "dynamodb":
        raise TypeError(
            "attach() takes a boto3 DynamoDB client, resource or Table, or a session, not %r"
            % (client_or_resource,)
        )
    return client


def _event_emitter(target):
    """The botocore event emitter of a DynamoDB client, resource or Table,
    or of a boto3 or botocore session (whose clients made afterwards start
    with a copy of its handlers)."""
    import boto3.session
    import botocore.session

    if isinstance(target, boto3.session.Session):
        return target.events
    if isinstance(target, botocore.session.Session):
        return target.get_component("event_emitter")
    return _dynamodb_client(target).meta.events


# What execute() raises even with raise_errors => false, because the
# transaction cannot go on, and DynamoDB's answer to it.  A call that was its
# own transaction gets that answer (botocore retries RequestLimitExceeded);
# in the caller's transaction the driver's exception is raised, as the
# caller must roll back.
_ENDED_TRANSACTION_TYPES = {
    "40001": "com.amazonaws.dynamodb.v20120810#TransactionConflictException",
    "40P01": "com.amazonaws.dynamodb.v20120810#TransactionConflictException",
    "57014": "com.amazonaws.dynamodb.v20120810#RequestLimitExceeded",
    "55P03": "com.amazonaws.dynamodb.v20120810#RequestLimitExceeded",
}


def _ended_transaction_answer(error):
    error_type = _ENDED_TRANSACTION_TYPES.get(getattr(error, "pgcode", None))
    if error_type is None:
        return None
    diag = getattr(error, "diag", None)
    message = getattr(diag, "message_primary", None) or str(error).strip()
    return json.dumps({"__type": error_type, "message": message}), error_type


class _Body:
    """The raw stream botocore reads a response body from."""

    def __init__(self, data):
        self._data = data

    def stream(self, **kwargs):
        yield self._data


def _request_id():
    # DynamoDB's request ids are 52 upper-case letters and digits.
    return secrets.token_hex(26).upper()


class Sender:
    """The before-send handler: one DynamoDB request, one execute() call."""

    def __init__(self, connection):
        self.connection = connection

    def __call__(self, request, **kwargs):
        target = request.headers.get("X-Amz-Target")
        if isinstance(target, bytes):
            target = target.decode("ascii")
        if not target:
            raise ValueError("not a DynamoDB JSON request (no X-Amz-Target header)")
        body = request.body
        if isinstance(body, (bytes, bytearray)):
            body = body.decode("utf-8")
        text, error_type = self.execute(target, body or "{}")
        return self.response(request.url, text, error_type)

    def execute(self, operation, body):
        """Run one request; returns the response text and its __type."""
        if "\\u0000" in body and _NUL_ESCAPE.search(body):
            return _NUL_ANSWER
        conn = self.connection
        if conn.info.transaction_status != _IDLE:
            return self._run(conn, operation, body)
        try:
            return self._own_transaction(conn, operation, body)
        except Exception as error:
            answer = _ended_transaction_answer(error)
            if answer is None:
                raise
            return answer

    def _own_transaction(self, conn, operation, body):
        if conn.autocommit:
            return self._run(conn, operation, body)
        # With the session's default transaction characteristics the call
        # runs in autocommit mode: one round trip instead of BEGIN, the call
        # and COMMIT.  Otherwise psycopg2's BEGIN carries them (isolation
        # level, read only), and this commits.
        if conn.isolation_level is None and conn.readonly is None and conn.deferrable is None:
            conn.autocommit = True
            try:
                return self._run(conn, operation, body)
            finally:
                if not conn.closed:
                    conn.autocommit = False
        try:
            result = self._run(conn, operation, body)
            conn.commit()
        except BaseException:
            if not conn.closed:
                conn.rollback()
            raise
        return result

    @staticmethod
    def _run(conn, operation, body):
        with conn.cursor() as cur:
            cur.execute(_EXECUTE_SQL, (operation, body))
            return cur.fetchone()

    @staticmethod
    def response(url, text, error_type):
        data = text.encode("utf-8")
        if error_type is None:
            status = 200
        elif error_type.rsplit("#", 1)[-1] in _SERVER_ERRORS:
            status = 500
        else:
            status = 400
        headers = {
            "x-amzn-RequestId": _request_id(),
            "x-amz-crc32": str(zlib.crc32(data) & 0xFFFFFFFF),
            "Content-Type": "application/x-amz-json-1.0",
            "Content-Length": str(len(data)),
        }
        return AWSResponse(url, status, headers, _Body(data))


def _unsigned(**kwargs):
    return botocore.UNSIGNED


def attach(target, connection):
    """Send every DynamoDB request of a boto3 client, resource or Table to
    singletable.execute() on ``connection`` instead of over HTTP.

    ``target`` may also be a boto3 Session (``boto3.DEFAULT_SESSION``
    included) or a botocore session: then every DynamoDB client made from it
    afterwards is attached.  Attaching again switches the connection.
    """
    events = _event_emitter(target)
    events.unregister("before-send.dynamodb", unique_id=_HANDLER_ID)
    events.register("before-send.dynamodb", Sender(connection), unique_id=_HANDLER_ID)
    events.register("choose-signer.dynamodb", _unsigned, unique_id=_SIGNER_ID)
    return target


def detach(target):
    """Undo attach(): the client (or the session's next clients) talk HTTP
    to the endpoint again."""
    events = _event_emitter(target)
    events.unregister("before-send.dynamodb", unique_id=_HANDLER_ID)
    events.unregister("choose-signer.dynamodb", unique_id=_SIGNER_ID)
    return target


def _offline_kwargs(kwargs):
    # Explicit dummy credentials keep botocore from searching for real ones,
    # a search that ends with a network call to the EC2 instance metadata
    # service when nothing is configured.
    kwargs.setdefault("region_name", "us-east-1")
    kwargs.setdefault("aws_access_key_id", "singletable")
    kwargs.setdefault("aws_secret_access_key", "singletable")
    return kwargs


def client(connection, **kwargs):
    """boto3.client('dynamodb', ...) with dummy credentials, attached."""
    import boto3

    c = boto3.client("dynamodb", **_offline_kwargs(kwargs))
    attach(c, connection)
    return c


def resource(connection, **kwargs):
    """boto3.resource('dynamodb', ...) with dummy credentials, attached."""
    import boto3

    r = boto3.resource("dynamodb", **_offline_kwargs(kwargs))
    attach(r, connection)
    return r


@contextlib.contextmanager
def transaction(connection):
    """Make the DynamoDB calls and SQL of a ``with`` block one transaction.

    Commits when the block ends, rolls back when it raises.  Inside a
    transaction the caller already has open, it joins that one and leaves
    the commit to the caller.
    """
    if connection.info.transaction_status != _IDLE:
        yield connection
        return
    with connection.cursor() as cur:
        # psycopg2 sends BEGIN itself before the first statement when not in
        # autocommit mode; in autocommit mode it never does.
        cur.execute("BEGIN" if connection.autocommit else "SELECT")
    try:
        yield connection
    except BaseException:
        _finish(connection, "ROLLBACK")
        raise
    if connection.info.transaction_status == _INERROR:
        _finish(connection, "ROLLBACK")
        raise RuntimeError(
            "the transaction was aborted by an error inside the block and has been rolled back"
        )
    _finish(connection, "COMMIT")


def _finish(connection, command):
    if connection.closed:
        return
    if connection.autocommit:
        with connection.cursor() as cur:
            cur.execute(command)
    elif command == "COMMIT":
        connection.commit()
    else:
        connection.rollback()
