"""The change stream as Lambda DynamoDB Streams events, over the replication
protocol.

consume(dsn, slot) reads a logical replication slot of the ``singletable``
output plugin (psycopg2's LogicalReplicationConnection, ``format=typed``)
and yields batches shaped like the event a Lambda function gets from a
DynamoDB Streams trigger, ``{"Records": [...]}``, with typed images that
boto3's TypeDeserializer reads.

Acknowledgement rules (the README's "Stream consumer" section):

* a batch is acknowledged only after the caller finished it: when the
  caller asks for the next batch, or leaves the ``with`` block without an
  exception; a batch whose handler raised is never acknowledged and comes
  again after a restart;
* only whole transactions are acknowledged, at the end of their commit
  record (the LSN the plugin gives the last record of each transaction),
  with ``send_feedback(flush_lsn=..., force=True)`` so the server has it
  before the consumer goes on: a restart resumes right after the last
  acknowledged transaction, with no duplicates and nothing lost;
* batches end at a transaction's end whenever the transaction fits in
  ``batch_size`` records; a larger transaction is split, and in the plain
  mode a restart inside it delivers it again from its first record;
* with ``checkpoint=connection`` (exactly once), each batch runs in a
  transaction on that connection: the checkpoint row of the slot in
  ``singletable.stream_checkpoints`` (apply_changes' table) is locked
  before the batch is handed out and updated and committed together with
  the handler's writes after it; records at or below the checkpoint are
  skipped, so even a split transaction or a crash between the commit and
  the acknowledgement applies every record once.

Memory is bounded by ``batch_size`` records.  The handler must finish within
the server's ``wal_sender_timeout`` (60 s by default): the connection is not
read while it runs.
"""

import json
import select
import time
import uuid

import psycopg2
import psycopg2.errors
import psycopg2.extras

__all__ = ["consume", "run", "Consumer", "parse_lsn", "format_lsn"]


def parse_lsn(text):
    """'16/B374D848' -> int."""
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) + int(low, 16)


def format_lsn(lsn):
    return "%X/%X" % (lsn >> 32, lsn & 0xFFFFFFFF)


def _seq_after(a, b):
    """SequenceNumber a comes after b ('' is before everything)."""
    return (len(a), a) > (len(b), b)


class Consumer:
    """Batches of a singletable slot; see the module's documentation.

    Iterate over it (once) for the events; use it as a context manager so
    that leaving the block normally acknowledges the last batch and an
    exception leaves it unacknowledged.
    """

    def __init__(
        self,
        dsn,
        slot,
        *,
        tables=None,
        view=None,
        include_indexes=False,
        batch_size=100,
        max_wait=0.0,
        idle_timeout=None,
        checkpoint=None,
        create_slot=False,
        region="us-east-1",
        status_interval=10,
        wait_for_slot=10,
    ):
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if checkpoint is not None and checkpoint.autocommit:
            raise ValueError(
                "the checkpoint connection must not be in autocommit mode: "
                "the handler's writes and the checkpoint commit together"
            )
        self.dsn = dsn
        self.slot = slot
        self.batch_size = batch_size
        self.max_wait = max_wait
        self.idle_timeout = idle_timeout
        self.checkpoint = checkpoint
        self.create_slot = create_slot
        self.region = region
        self.status_interval = status_interval
        self.wait_for_slot = wait_for_slot
        self.options = {"format": "typed"}
        if tables is not None:
            self.options["tables"] = tables if isinstance(tables, str) else ",".join(tables)
        if view is not None:
            self.options["view"] = view
        if include_indexes:
            self.options["include_indexes"] = "on"
        self._conn = None
        self._cursor = None
        self._generator = None
        # The batch handed out and not yet acknowledged: (lsn, sequence).
        self._pending = None
        # The last acknowledged transaction end and record.
        self.acknowledged_lsn = 0
        self.checkpoint_sequence = ""

    # ---- iteration -------------------------------------------------------

    def __iter__(self):
        if self._generator is None:
            self._generator = self._batches()
        return self._generator

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close(acknowledge=exc_type is None)
        return False

    def close(self, acknowledge=False):
        """Stop; with acknowledge=True the batch handed out last is
        acknowledged first (its handler finished)."""
        try:
            if acknowledge and self._pending is not None:
                self._acknowledge()
        finally:
            self._pending = None
            if self._generator is not None:
                self._generator.close()
            self._disconnect()

    def _batches(self):
        self._connect()
        try:
            while True:
                records, lsn, sequence = self._collect()
                if not records:
                    return
                if self.checkpoint is not None:
                    self._lock_checkpoint()
                self._pending = (lsn, sequence)
                yield {"Records": records}
                # Resumed: the caller finished the batch.
                self._acknowledge()
        finally:
            # Not resumed (the handler raised, or the consumer was closed
            # without acknowledging): nothing of the batch is kept.
            self._pending = None
            if self.checkpoint is not None and not self.checkpoint.closed:
                self.checkpoint.rollback()

    # ---- the replication connection --------------------------------------

    def _connect(self):
        start = 0
        if self.checkpoint is not None:
            self.checkpoint_sequence, start = self._read_checkpoint()
        # Starting at the checkpoint skips the transactions it covers even
        # when the slot was not told about them (a crash between the commit
        # and the acknowledgement); the server starts at the slot's
        # confirmed position when that is later.
        self._cursor = self._open(start)
        self.acknowledged_lsn = start
        if start:
            self._cursor.send_feedback(write_lsn=start, flush_lsn=start, force=True)

    def _open(self, start):
        """The replication cursor, streaming from start (0: the slot's
        confirmed position).  A slot still held by a consumer that is going
        away (a restart) is waited for, up to wait_for_slot seconds."""
        deadline = time.monotonic() + self.wait_for_slot
        while True:
            self._conn = psycopg2.connect(
                self.dsn, connection_factory=psycopg2.extras.LogicalReplicationConnection
            )
            cur = self._conn.cursor()
            try:
                if self.create_slot:
                    try:
                        cur.create_replication_slot(self.slot, output_plugin="singletable")
                    except psycopg2.errors.DuplicateObject:
                        pass
                cur.start_replication(
                    slot_name=self.slot,
                    decode=True,
                    start_lsn=start,
                    options=self.options,
                    status_interval=self.status_interval,
                )
                return cur
            except psycopg2.errors.ObjectInUse:
                self._disconnect()
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.1)

    def _disconnect(self):
        if self._conn is not None and not self._conn.closed:
            self._conn.close()
        self._conn = self._cursor = None

    def _collect(self):
        """Read up to batch_size records: (records, ack lsn, last sequence).

        A batch ends at a transaction's end once no record follows within
        max_wait, or at batch_size records; an empty batch means no record
        came within idle_timeout.
        """
        cur = self._cursor
        records = []
        lsn = None
        sequence = None
        at_boundary = True
        started = time.monotonic()
        window_end = None
        while len(records) < self.batch_size:
            msg = cur.read_message()
            if msg is None:
                now = time.monotonic()
                if records and at_boundary:
                    if window_end is None:
                        window_end = now + self.max_wait
                    wait = window_end - now
                    if wait <= 0:
                        break
                elif not records and self.idle_timeout is not None:
                    wait = started + self.idle_timeout - now
                    if wait <= 0:
                        break
                else:
                    wait = self.status_interval
                select.select([cur], [], [], min(wait, self.status_interval))
                continue
            record = json.loads(msg.payload)
            if "transaction" in record:
                continue
            # The last record of a transaction carries the end of its commit
            # record, past the commit's start (commitLsn); earlier ones carry
            # their change's position.
            at_boundary = msg.data_start > parse_lsn(record["commitLsn"])
            if at_boundary:
                lsn = msg.data_start
            seq = record["dynamodb"]["SequenceNumber"]
            if self.checkpoint is not None and not _seq_after(seq, self.checkpoint_sequence):
                continue
            sequence = seq
            records.append(self._lambda_record(record))
        return records, lsn, sequence

    def _lambda_record(self, record):
        table = record.get("tableName", "")
        record["eventSource"] = "aws:dynamodb"
        record["awsRegion"] = self.region
        record["eventSourceARN"] = "arn:aws:dynamodb:%s:000000000000:table/%s/stream/%s" % (
            self.region,
            table,
            self.slot,
        )
        return record

    # ---- acknowledgement and checkpoints ----------------------------------

    def _acknowledge(self):
        lsn, sequence = self._pending
        self._pending = None
        if self.checkpoint is not None:
            self._write_checkpoint(sequence, lsn)
        if lsn is not None and lsn > self.acknowledged_lsn:
            self._send_feedback(lsn)

    def _send_feedback(self, lsn):
        self._cursor.send_feedback(write_lsn=lsn, flush_lsn=lsn, force=True)
        self.acknowledged_lsn = lsn

    def _read_checkpoint(self):
        """The slot's checkpoint (sequence, lsn), created empty if need be."""
        conn = self.checkpoint
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO singletable.stream_checkpoints (slot_name, sequence_number, lsn) "
                "VALUES (%s, '', '0/0') ON CONFLICT (slot_name) DO NOTHING",
                (self.slot,),
            )
            cur.execute(
                "SELECT sequence_number, lsn::pg_catalog.text FROM singletable.stream_checkpoints "
                "WHERE slot_name OPERATOR(pg_catalog.=) %s",
                (self.slot,),
            )
            sequence, lsn = cur.fetchone()
        conn.commit()
        return sequence, parse_lsn(lsn)

    def _lock_checkpoint(self):
        # Opens the batch's transaction (so boto calls of the handler on this
        # connection join it) and waits for anyone else writing this slot's
        # checkpoint, such as apply_changes.
        with self.checkpoint.cursor() as cur:
            cur.execute(
                "SELECT 1 FROM singletable.stream_checkpoints "
                "WHERE slot_name OPERATOR(pg_catalog.=) %s FOR UPDATE",
                (self.slot,),
            )

    def _write_checkpoint(self, sequence, lsn):
        conn = self.checkpoint
        if sequence is not None:
            with conn.cursor() as cur:
                cur.execute(
                    "UPDATE singletable.stream_checkpoints SET sequence_number = %s, "
                    "lsn = GREATEST(lsn, %s::pg_catalog.pg_lsn), applied_at = pg_catalog.now() "
                    "WHERE slot_name OPERATOR(pg_catalog.=) %s",
                    (sequence, format_lsn(lsn or 0), self.slot),
                )
            self.checkpoint_sequence = sequence
        conn.commit()


def consume(dsn, slot, **options):
    """A Consumer of ``slot``; see Consumer and the module's documentation."""
    return Consumer(dsn, slot, **options)


class LambdaContext:
    """The parts of Lambda's context object a stream handler tends to use."""

    def __init__(self, slot, timeout_ms=900000):
        self.function_name = slot
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.monotonic() + timeout_ms / 1000.0

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def run(handler, dsn, slot, **options):
    """Call handler(event, context) for every batch, as a Lambda trigger
    would, acknowledging each batch after its handler returns.  Returns the
    number of batches when idle_timeout ends it; a handler's exception stops
    the consumer with its batch unacknowledged and propagates."""
    batches = 0
    with Consumer(dsn, slot, **options) as consumer:
        for event in consumer:
            handler(event, LambdaContext(slot))
            batches += 1
    return batches
