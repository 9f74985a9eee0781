// The streaming replication protocol, as much of it as a logical decoding
// consumer needs, on top of a pg Client opened with replication=database:
// START_REPLICATION, XLogData and keepalive messages in, standby status
// updates out, and back-pressure by pausing the socket.
//
// pg has no public replication API; it does let a "submittable" own a
// command and the messages that answer it (as pg-cursor does), and that is
// what StartReplication is.  CopyData frames from the server reach it
// through handleCopyData; status updates go out as CopyData frames through
// the connection.  Pausing uses the connection's socket, the one internal
// of pg this file touches.
import type { EventEmitter } from "node:events";
import { Client, ClientConfig } from "pg";

/** What this file uses of pg's Connection (the protocol writer, untyped in @types/pg). */
interface PgConnection extends EventEmitter {
  stream: NodeJS.ReadableStream;
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/** One XLogData message: its payload (a record of the plugin) and where it sits in the WAL. */
export interface XLogData {
  /** WAL position the server gives the message; confirm it once the payload is stored. */
  lsn: bigint;
  data: Buffer;
}

export interface ReplicationEvents {
  data(msg: XLogData): void;
  /** The server's position: everything before it has been sent. */
  keepalive(walEnd: bigint, replyRequested: boolean): void;
  /** The stream ended: err undefined after stop(), else why. */
  end(err?: Error): void;
}

/** "16/B374D848" <-> 0x16B374D848 */
export function parseLsn(text: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (!m) throw new TypeError(`invalid LSN "${text}"`);
  return (BigInt("0x" + m[1]) << 32n) | BigInt("0x" + m[2]);
}

export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

function quoteIdent(s: string): string {
  return '"' + s.replace(/"/g, '""') + '"';
}

function quoteLiteral(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}

/** Microseconds since 2000-01-01, the protocol's clock. */
function pgNow(): bigint {
  return BigInt(Date.now() - 946684800000) * 1000n;
}

/** The START_REPLICATION command and the CopyBoth stream that answers it. */
class StartReplication {
  private ended = false;
  /** Why the stream ended, when it was not stopped. */
  error?: Error;
  private onEnded!: () => void;
  /** Resolves once the stream has ended, however it ended. */
  readonly ended$ = new Promise<void>((resolve) => { this.onEnded = resolve; });

  constructor(private readonly text: string, private readonly events: ReplicationEvents) {}

  submit(connection: PgConnection): void {
    connection.query(this.text);
  }

  handleCopyData(msg: { chunk: Buffer }): void {
    const buf = msg.chunk;
    switch (buf[0]) {
      case 0x77: // 'w': XLogData: start, end, send time, payload
        this.events.data({ lsn: buf.readBigUInt64BE(1), data: buf.subarray(25) });
        break;
      case 0x6b: // 'k': keepalive: end, send time, reply requested
        this.events.keepalive(buf.readBigUInt64BE(1), buf[17] === 1);
        break;
    }
  }

  handleError(err: Error): void {
    this.finish(err);
  }

  handleReadyForQuery(): void {
    this.finish();
  }

  finish(err?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.error = err;
    this.onEnded();
    this.events.end(err);
  }

  // the rest of what pg may hand a submittable: nothing to do
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
}

/** A replication connection streaming one logical slot. */
export class ReplicationStream {
  private command?: StartReplication;
  private closed = false;

  private constructor(private readonly client: Client) {}

  static async connect(config: ClientConfig): Promise<ReplicationStream> {
    const client = new Client({ ...config, replication: "database" } as ClientConfig);
    const stream = new ReplicationStream(client);
    // a broken socket also fails the running command, which reports it
    client.on("error", () => {});
    await client.connect();
    return stream;
  }

  /**
   * START_REPLICATION SLOT slot LOGICAL start (options).  Resolves once the
   * server streams (CopyBothResponse); rejects with the server's error (no
   * such slot, slot in use, a bad plugin option ...).
   */
  start(slot: string, start: bigint, options: Record<string, string>, events: ReplicationEvents): Promise<void> {
    const opts = Object.entries(options).map(([k, v]) => `${quoteIdent(k)} ${quoteLiteral(v)}`);
    const text = `START_REPLICATION SLOT ${quoteIdent(slot)} LOGICAL ${formatLsn(start)}` +
      (opts.length ? ` (${opts.join(", ")})` : "");
    const command = new StartReplication(text, events);
    this.command = command;
    return new Promise<void>((resolve, reject) => {
      const started = () => resolve();
      this.connection.once("replicationStart", started);
      command.ended$.then(() => {
        this.connection.off("replicationStart", started);
        reject(command.error ?? new Error("the replication stream ended before it started"));
      });
      this.client.query(command as never);
    });
  }

  private get connection(): PgConnection {
    return (this.client as unknown as { connection: PgConnection }).connection;
  }

  /**
   * Standby status update: received up to `written`, stored up to
   * `flushed` (the server may recycle the WAL before it and will not send
   * transactions that ended before it again).
   */
  sendStatus(written: bigint, flushed: bigint): void {
    if (this.closed) return;
    const buf = Buffer.alloc(34);
    buf[0] = 0x72; // 'r'
    buf.writeBigUInt64BE(written, 1);
    buf.writeBigUInt64BE(flushed, 9);
    buf.writeBigUInt64BE(flushed, 17);
    buf.writeBigUInt64BE(pgNow(), 25);
    buf[33] = 0;
    this.connection.sendCopyFromChunk(buf);
  }

  /** Stop reading from the server (back-pressure); status updates still go out. */
  pause(): void {
    this.connection.stream.pause();
  }

  resume(): void {
    this.connection.stream.resume();
  }

  /**
   * Ends the stream (CopyDone, the server answers with its own and
   * ReadyForQuery) and the connection.  Waits at most timeoutMs for the
   * server's answer.
   */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const command = this.command;
    if (command) {
      try {
        this.resume();
        this.connection.endCopyFrom();
        await Promise.race([command.ended$, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
      } catch {
        // the connection is gone already
      }
      command.finish();
    }
    await this.client.end().catch(() => {});
  }
}
