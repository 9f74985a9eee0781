// consumeStream: the singletable change stream handed to an unchanged
// Lambda-style DynamoDB Streams handler.
//
// Records come from a logical slot of the singletable plugin over the
// replication protocol (replication.ts) with format=typed, so each is a
// DynamoDB Streams record with typed Keys/NewImage/OldImage, and are handed
// over in batches as { Records: [...] }, a DynamoDBStreamEvent.
//
// Delivery: a batch is acknowledged only after the handler's promise
// resolves.  Acknowledging means two things: the batch's last SequenceNumber
// is written to singletable.stream_checkpoints (the table apply_changes
// keeps, one row per slot), and the server is told (standby status update)
// that it may forget the WAL before the batch's last LSN.  After a restart
// the stream starts again from the server's confirmed position, and records
// at or below the checkpoint are skipped, so a consumer resumes exactly
// after the last acknowledged record even when a batch ended in the middle
// of a transaction.
//
//   at least once (default): the checkpoint is written after the handler
//     resolved; a crash between the two gives that batch again.
//   exactlyOnce: the handler gets a pg client inside a transaction and the
//     checkpoint is written in that same transaction, so the handler's
//     writes and the position commit or roll back together.
//
// Flow control: at most maxBufferedRecords records wait in memory; beyond
// that the replication socket is paused, so the server waits for us, and
// status updates keep flowing meanwhile so the server does not time out.
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { Pool, PoolClient } from "pg";
import { ReplicationStream, formatLsn, parseLsn } from "./replication";
import type { Queryable } from "./request-handler";

export interface StreamContext {
  /** The slot the batch comes from. */
  slot: string;
  /**
   * exactlyOnce mode only: a connection inside the transaction that will
   * also store the checkpoint.  Write with it; do not COMMIT or ROLLBACK.
   */
  client?: PoolClient;
}

/**
 * A Lambda-style handler.  Returning DynamoDB's partial batch response
 * ({ batchItemFailures: [{ itemIdentifier: SequenceNumber }] }) acknowledges
 * the records before the first failed one (at-least-once mode) and delivers
 * the rest again, like a thrown error does for the whole batch.
 */
export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: StreamContext,
) => Promise<DynamoDBBatchResponse | void> | DynamoDBBatchResponse | void;

export interface ConsumeStreamOptions {
  /** Used for checkpoints and exactlyOnce transactions; its settings open the replication connection. */
  pool?: Pool;
  /** Instead of pool: a connection string (the consumer makes and ends a small pool of its own). */
  connectionString?: string;
  /** A logical slot of the singletable plugin. */
  slot: string;
  /** Create the slot if it does not exist (it then streams what is written from now on). */
  createSlot?: boolean;
  /** Only these tables (names as SQL writes them: app, sales.orders, "MixedCase"); default all. */
  tables?: string | string[];
  /** The plugin's view option (default: each table's stream_view). */
  view?: "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES";
  handler: StreamHandler;
  /** Records per handler call at most (default 100, as Lambda's). */
  batchSize?: number;
  /** The handler's writes and the checkpoint in one transaction (see StreamContext.client). */
  exactlyOnce?: boolean;
  /** A failed batch is delivered again this many times, then the consumer stops (default 2). */
  maxRetries?: number;
  /** Wait before the first retry, doubled for each further one (default 100 ms). */
  retryDelayMs?: number;
  /** Records held in memory before the stream is paused (default max(1000, 4 x batchSize)). */
  maxBufferedRecords?: number;
  /** Status updates to the server at least this often (default 10 s). */
  statusIntervalMs?: number;
}

export interface StreamConsumer {
  /** Resolves when stop() has finished; rejects with what stopped the consumer otherwise. */
  readonly done: Promise<void>;
  /** Lets the batch being handled finish, acknowledges it, closes the stream.  Returns done. */
  stop(): Promise<void>;
  /** The last acknowledged record: its SequenceNumber ('' for none yet) and LSN. */
  readonly checkpoint: { sequenceNumber: string; lsn: string };
  /** Records received and not yet handed to the handler. */
  readonly buffered: number;
}

/** A handler said some records failed: the batch is delivered again from the first of them. */
export class BatchItemFailureError extends Error {
  constructor(readonly itemIdentifier: string) {
    super(`the handler reported a failure at record ${itemIdentifier}`);
    this.name = "BatchItemFailureError";
  }
}

interface Pending {
  record: DynamoDBRecord;
  sequenceNumber: string;
  lsn: bigint;
  /** The last record of its transaction (the rest of the transaction is not on its way). */
  ends: boolean;
}

/** SequenceNumbers are decimal strings: a longer one is larger, equal lengths compare as text. */
function seqAfter(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}

// Where to start: after the checkpoint or the slot's confirmed position,
// whichever is further (a crash after a commit but before the server heard
// of it leaves the slot behind the checkpoint).
const CHECKPOINT_READ =
  "SELECT current_database() AS db, c.sequence_number, " +
  "GREATEST(c.lsn, s.confirmed_flush_lsn)::text AS lsn, s.plugin, s.database " +
  "FROM (SELECT 1) AS one LEFT JOIN singletable.stream_checkpoints c ON c.slot_name = $1 " +
  "LEFT JOIN pg_replication_slots s ON s.slot_name = $1";
const CHECKPOINT_WRITE =
  "INSERT INTO singletable.stream_checkpoints AS c (slot_name, sequence_number, lsn) VALUES ($1, $2, $3) " +
  "ON CONFLICT (slot_name) DO UPDATE SET sequence_number = EXCLUDED.sequence_number, " +
  "lsn = EXCLUDED.lsn, applied_at = now()";
const SLOT_CREATE =
  "SELECT pg_create_logical_replication_slot($1, 'singletable') " +
  "WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)";

class Consumer implements StreamConsumer {
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private rejectDone!: (err: Error) => void;
  private readonly queue: Pending[] = [];
  private received = 0n;
  private acked = 0n;
  private seq = "";
  private busy = false;
  private scheduled = false;
  private paused = false;
  private stopping = false;
  private closing?: Promise<void>;
  private idleWaiters: (() => void)[] = [];
  private timer?: NodeJS.Timeout;
  private stream?: ReplicationStream;
  private arnPrefix = "";
  private readonly batchSize: number;
  private readonly highWater: number;
  private readonly maxRetries: number;
  private readonly retryDelayMs: number;

  constructor(private readonly o: ConsumeStreamOptions, private readonly pool: Pool, private readonly ownPool: boolean) {
    this.done = new Promise<void>((resolve, reject) => { this.resolveDone = resolve; this.rejectDone = reject; });
    this.batchSize = positive(o.batchSize ?? 100, "batchSize");
    this.highWater = positive(o.maxBufferedRecords ?? Math.max(1000, 4 * this.batchSize), "maxBufferedRecords");
    this.maxRetries = nonNegative(o.maxRetries ?? 2, "maxRetries");
    this.retryDelayMs = nonNegative(o.retryDelayMs ?? 100, "retryDelayMs");
  }

  get checkpoint() {
    return { sequenceNumber: this.seq, lsn: formatLsn(this.acked) };
  }

  get buffered() {
    return this.queue.length;
  }

  async start(): Promise<void> {
    const o = this.o;
    if (o.createSlot) await this.pool.query(SLOT_CREATE, [o.slot]);
    const { rows } = await this.pool.query(CHECKPOINT_READ, [o.slot]);
    // (a slot that does not exist is the server's error, at START_REPLICATION)
    if (rows[0].plugin !== null && (rows[0].plugin !== "singletable" || rows[0].database !== rows[0].db))
      throw new Error(`replication slot "${o.slot}" is not a logical slot of the singletable plugin in database ` +
        `"${rows[0].db}" (its plugin is ${rows[0].plugin ?? "none"}, its database ${rows[0].database ?? "none"})`);
    this.seq = rows[0].sequence_number ?? "";
    const start = rows[0].lsn ? parseLsn(rows[0].lsn) : 0n;
    this.received = this.acked = start;
    this.arnPrefix = `arn:singletable:dynamodb:${rows[0].db}:`;

    const options: Record<string, string> = { format: "typed" };
    if (o.tables !== undefined) options.tables = Array.isArray(o.tables) ? o.tables.join(",") : o.tables;
    if (o.view !== undefined) options.view = o.view;

    this.stream = await ReplicationStream.connect(this.pool.options);
    let streaming = false;
    try {
      await this.stream.start(o.slot, start, options, {
        data: (msg) => this.onData(msg.lsn, msg.data),
        keepalive: (walEnd, reply) => this.onKeepalive(walEnd, reply),
        // before it streamed, start() itself rejects with the server's error
        end: (err) => {
          if (streaming && !this.stopping) this.fail(err ?? new Error("the server ended the replication stream"));
        },
      });
      streaming = true;
    } catch (err) {
      await this.stream.close();
      throw err;
    }
    this.timer = setInterval(() => this.sendStatus(), this.o.statusIntervalMs ?? 10000);
    this.timer.unref();
  }

  private onData(lsn: bigint, data: Buffer): void {
    if (lsn > this.received) this.received = lsn;
    let record;
    try {
      record = JSON.parse(data.toString("utf8"));
    } catch (err) {
      // not the singletable plugin's output (a slot of another plugin?)
      this.fail(new Error(`slot "${this.o.slot}" sent a record that is not JSON: ${(err as Error).message}`));
      return;
    }
    const sequenceNumber: string | undefined = record.dynamodb?.SequenceNumber;
    // what the checkpoint covers was handled before a restart
    if (sequenceNumber === undefined || !seqAfter(sequenceNumber, this.seq)) return;
    if (record.eventSourceARN === undefined && record.tableName !== undefined)
      record.eventSourceARN = `${this.arnPrefix}${record.schemaName}:table/${record.tableName}/stream/${this.o.slot}`;
    // the plugin writes a transaction's last record at the end of its commit
    // record, the others at their change, which comes before the commit
    const ends = typeof record.commitLsn !== "string" || lsn > parseLsn(record.commitLsn);
    this.queue.push({ record, sequenceNumber, lsn, ends });
    if (!this.paused && this.queue.length >= this.highWater) {
      this.paused = true;
      this.stream?.pause();
    }
    if (!this.scheduled) {
      // records that arrived together make one batch (of whole transactions: nextBatchSize)
      this.scheduled = true;
      setImmediate(() => { this.scheduled = false; void this.pump(); });
    }
  }

  private onKeepalive(walEnd: bigint, replyRequested: boolean): void {
    if (walEnd > this.received) this.received = walEnd;
    // everything the server sent before walEnd has been handled: confirm it
    if (this.queue.length === 0 && !this.busy && !this.scheduled && walEnd > this.acked) this.acked = walEnd;
    if (replyRequested) this.sendStatus();
  }

  private sendStatus(): void {
    this.stream?.sendStatus(this.received, this.acked);
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let n; !this.stopping && (n = this.nextBatchSize()) > 0;) {
        const batch = this.queue.splice(0, n);
        if (this.paused && this.queue.length <= this.highWater / 2) {
          this.paused = false;
          this.stream?.resume();
        }
        await this.deliver(batch);
      }
    } catch (err) {
      this.fail(err as Error);
    } finally {
      this.busy = false;
      for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  /**
   * How many queued records make the next batch: batchSize, or fewer that
   * end a transaction, so that a transaction whose records come in several
   * socket reads is not cut in two batches when it fits in one.  0 while
   * the rest of the transaction is on its way (unless the stream is paused:
   * then nothing more comes until a batch leaves).
   */
  private nextBatchSize(): number {
    const q = this.queue;
    if (q.length >= this.batchSize) return this.batchSize;
    for (let i = q.length - 1; i >= 0; i--) if (q[i].ends) return i + 1;
    return this.paused ? q.length : 0;
  }

  /** The batch until it is handled, retrying; when stopping, gives up quietly (it is not acknowledged). */
  private async deliver(batch: Pending[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.deliverOnce(batch);
        return;
      } catch (err) {
        if (this.stopping) return;
        if (attempt >= this.maxRetries) throw err;
        await new Promise((r) => setTimeout(r, this.retryDelayMs * 2 ** attempt));
      }
    }
  }

  /** One handler call; on a partial failure, acknowledges the records before it and leaves the rest in batch. */
  private async deliverOnce(batch: Pending[]): Promise<void> {
    const event: DynamoDBStreamEvent = { Records: batch.map((p) => p.record) };
    const slot = this.o.slot;
    if (!this.o.exactlyOnce) {
      const failed = firstFailure(await this.o.handler(event, { slot }), batch);
      const handled = failed < 0 ? batch.length : failed;
      if (handled > 0) await this.acknowledge(this.pool, batch[handled - 1]);
      if (failed >= 0) {
        batch.splice(0, handled);
        throw new BatchItemFailureError(batch[0].sequenceNumber);
      }
      return;
    }
    const client = await this.pool.connect();
    let committed = false;
    let broken = false;
    try {
      await client.query("BEGIN");
      const failed = firstFailure(await this.o.handler(event, { slot, client }), batch);
      // a partial failure cannot be split out of one transaction: all again
      if (failed >= 0) throw new BatchItemFailureError(batch[failed].sequenceNumber);
      await this.acknowledge(client, batch[batch.length - 1], true);
      await client.query("COMMIT");
      committed = true;
    } finally {
      if (!committed) await client.query("ROLLBACK").catch(() => { broken = true; });
      client.release(broken);
    }
    this.confirm(batch[batch.length - 1]);
  }

  /** Store the checkpoint (and, unless the caller's transaction must commit first, tell the server). */
  private async acknowledge(db: Queryable, last: Pending, inTransaction = false): Promise<void> {
    await db.query(CHECKPOINT_WRITE, [this.o.slot, last.sequenceNumber, formatLsn(last.lsn)]);
    if (!inTransaction) this.confirm(last);
  }

  private confirm(last: Pending): void {
    this.seq = last.sequenceNumber;
    if (last.lsn > this.acked) this.acked = last.lsn;
    this.sendStatus();
  }

  private whenIdle(): Promise<void> {
    return this.busy ? new Promise((r) => this.idleWaiters.push(r)) : Promise.resolve();
  }

  stop(): Promise<void> {
    if (!this.closing) {
      this.stopping = true;
      this.closing = this.whenIdle().then(() => this.close()).then(() => this.resolveDone(), (err) => this.rejectDone(err));
    }
    return this.done;
  }

  private fail(err: Error): void {
    if (this.closing) return;
    this.stopping = true;
    this.closing = this.close().then(() => this.rejectDone(err), () => this.rejectDone(err));
  }

  private async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.sendStatus();
    await this.stream?.close();
    if (this.ownPool) await this.pool.end();
  }
}

function positive(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`consumeStream: ${name} must be a positive integer`);
  return n;
}

function nonNegative(n: number, name: string): number {
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`consumeStream: ${name} must not be negative`);
  return n;
}

/** Index of the first record a partial batch response names; -1 when none failed. */
function firstFailure(result: DynamoDBBatchResponse | void, batch: Pending[]): number {
  const failures = result?.batchItemFailures;
  if (!failures || failures.length === 0) return -1;
  const ids = new Set(failures.map((f) => f.itemIdentifier));
  const i = batch.findIndex((p) => ids.has(p.sequenceNumber));
  return i < 0 ? 0 : i; // an identifier we did not send: Lambda retries the whole batch
}

/**
 * Starts consuming a slot; resolves once the server streams (rejects if the
 * slot does not exist, is in use, or an option is refused).
 */
export async function consumeStream(options: ConsumeStreamOptions): Promise<StreamConsumer> {
  if (!options || typeof options.handler !== "function") throw new TypeError("consumeStream needs a handler");
  if (!options.slot) throw new TypeError("consumeStream needs a slot");
  if ((options.pool === undefined) === (options.connectionString === undefined))
    throw new TypeError("consumeStream needs exactly one of pool or connectionString");
  const ownPool = options.pool === undefined;
  const pool = options.pool ?? new Pool({ connectionString: options.connectionString, max: 2 });
  const consumer = new Consumer(options, pool, ownPool);
  try {
    await consumer.start();
  } catch (err) {
    if (ownPool) await pool.end();
    throw err;
  }
  return consumer;
}
