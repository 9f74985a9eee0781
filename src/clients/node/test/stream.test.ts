// consumeStream: the change stream handed to Lambda-style handlers, the
// seed's balance projection among them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { consumeStream, StreamConsumer, StreamContext } from "../src";
import { documentClient, eventually, freshTable, pool } from "./helpers";
import { EventStore } from "./domain/eventstore";
import { balanceProjection } from "./domain/projection";

const doc = documentClient({ pool });
const started: StreamConsumer[] = [];

async function freshSlot(slot: string): Promise<void> {
  await pool.query("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", [slot]);
  await pool.query("DELETE FROM singletable.stream_checkpoints WHERE slot_name = $1", [slot]);
  await pool.query("SELECT pg_create_logical_replication_slot($1, 'singletable')", [slot]);
}

async function consume(...args: Parameters<typeof consumeStream>): Promise<StreamConsumer> {
  const c = await consumeStream(...args);
  started.push(c);
  return c;
}

async function slotPosition(slot: string): Promise<{ confirmed: string; checkpoint: string | null }> {
  const { rows } = await pool.query(
    `SELECT s.confirmed_flush_lsn::text AS confirmed, c.sequence_number AS checkpoint
       FROM pg_replication_slots s LEFT JOIN singletable.stream_checkpoints c USING (slot_name)
      WHERE s.slot_name = $1`, [slot]);
  return rows[0];
}

/** n puts in one transaction: one TransactWriteItems of up to 100 items. */
async function putMany(table: string, pk: string, from: number, n: number): Promise<void> {
  await doc.send(new TransactWriteCommand({
    TransactItems: Array.from({ length: n }, (_, i) => ({
      Put: { TableName: table, Item: { PK: pk, SK: `N#${String(from + i).padStart(5, "0")}`, n: from + i } },
    })),
  }));
}

const numbers = (records: DynamoDBRecord[]) =>
  records.map((r) => Number(unmarshall(r.dynamodb!.NewImage as Record<string, AttributeValue>).n));

before(async () => {
  await freshTable("bank");
  await freshTable("balances");
  await freshTable("feed");
});

after(async () => {
  for (const c of started) await c.stop().catch(() => {});
  doc.destroy();
  await pool.end();
});

test("the balance projection, a Lambda handler, kept by consumeStream", async () => {
  await freshSlot("projection");
  const store = new EventStore(doc, "bank");
  const project = balanceProjection(doc, "balances");
  const events: DynamoDBStreamEvent[] = [];
  const consumer = await consume({
    pool, slot: "projection", tables: ["bank"],
    handler: async (event) => { events.push(event); await project(event); },
  });
  await store.append("ACCOUNT#1", [{ eventType: "AccountOpened", eventData: { owner: "ann" } }], 0);
  await store.append("ACCOUNT#1", [{ eventType: "MoneyDeposited", eventData: { amount: 100 } },
                                   { eventType: "MoneyWithdrawn", eventData: { amount: 30 } }], 1);
  await store.append("ACCOUNT#2", [{ eventType: "MoneyDeposited", eventData: { amount: 7.25 } }], 0);
  const balance = async (account: string) => (await doc.send(new GetCommand({
    TableName: "balances", Key: { PK: account, SK: "BALANCE" } }))).Item;
  await eventually(async () => (await balance("ACCOUNT#2"))?.balance === 7.25, "the projection");
  const b1 = await balance("ACCOUNT#1");
  assert.equal(b1?.balance, 70);
  assert.match(String(b1?.updatedAt), /^\d{4}-\d\d-\d\dT/);

  // the records are DynamoDB Streams records with typed images
  const records = events.flatMap((e) => e.Records);
  const inserts = records.filter((r) => r.eventName === "INSERT");
  assert.equal(inserts.length, 6); // 4 events, 2 VERSION items
  assert.equal(records.filter((r) => r.eventName === "MODIFY").length, 1); // ACCOUNT#1's VERSION
  const first = records[0];
  assert.deepEqual(first.dynamodb?.Keys, { PK: { S: "ACCOUNT#1" }, SK: { S: "EVENT#0000000001" } });
  assert.equal(first.dynamodb?.StreamViewType, "NEW_AND_OLD_IMAGES");
  assert.match(first.dynamodb?.SequenceNumber ?? "", /^\d{30}$/);
  assert.equal(typeof first.dynamodb?.ApproximateCreationDateTime, "number");
  assert.match(first.eventSourceARN ?? "", /:table\/bank\/stream\/projection$/);
  assert.equal(first.eventSourceARN?.split("/")[1], "bank");
  const image = unmarshall(first.dynamodb!.NewImage as Record<string, AttributeValue>);
  assert.deepEqual(image.eventData, { owner: "ann" });
  assert.equal(image.eventVersion, 1);
  const seqs = records.map((r) => r.dynamodb!.SequenceNumber!);
  assert.deepEqual([...seqs].sort(), seqs); // commit order
  await consumer.stop();
});

test("a batch is acknowledged only after the handler's promise resolves", async () => {
  await freshSlot("ack");
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const got: number[] = [];
  let commitLsn = "";
  const consumer = await consume({
    pool, slot: "ack", tables: "feed", statusIntervalMs: 50,
    handler: async (event) => {
      await gate;
      got.push(...numbers(event.Records));
      commitLsn = (event.Records[0] as unknown as { commitLsn: string }).commitLsn;
    },
  });
  const before = await slotPosition("ack");
  await putMany("feed", "ACK", 0, 3);
  await new Promise((r) => setTimeout(r, 400)); // status updates went out meanwhile
  const during = await slotPosition("ack");
  assert.equal(during.checkpoint, before.checkpoint);
  assert.equal(consumer.checkpoint.sequenceNumber, "");
  release();
  await eventually(() => got.length === 3, "the batch");
  // keepalives may confirm WAL before the transaction's commit record while
  // the handler waits (the server then sends the transaction again after a
  // restart), never the commit itself
  const { rows } = await pool.query("SELECT $1::pg_lsn <= $2::pg_lsn AS ok", [during.confirmed, commitLsn]);
  assert.ok(rows[0].ok, `confirmed ${during.confirmed} while the handler waited, the commit is at ${commitLsn}`);
  await eventually(async () => (await slotPosition("ack")).checkpoint !== null, "the checkpoint");
  const after = await slotPosition("ack");
  assert.equal(after.checkpoint, consumer.checkpoint.sequenceNumber);
  await eventually(async () => (await slotPosition("ack")).confirmed !== before.confirmed, "the confirmation");
  await consumer.stop();
});

test("a restart resumes exactly after the last acknowledged record, even inside a transaction", async () => {
  await freshSlot("resume");
  await putMany("feed", "R", 0, 40);  // one transaction of 40
  await putMany("feed", "R", 40, 10);
  const got: number[] = [];
  let batches = 0;
  let stopping: Promise<void> | undefined;
  const first = await consume({
    pool, slot: "resume", tables: ["feed"], batchSize: 7,
    handler: async (event) => {
      got.push(...numbers(event.Records));
      // stop after the third batch: 21 of the first transaction's 40 records
      if (++batches === 3) stopping = first.stop();
    },
  });
  await eventually(() => stopping !== undefined, "three batches");
  await stopping;
  const k = got.length;  // 21 when each batch is full; at most that
  assert.ok(k > 0 && k <= 21);
  assert.deepEqual(got, Array.from({ length: k }, (_, i) => i));

  const second = await consume({
    pool, slot: "resume", tables: ["feed"], batchSize: 7,
    handler: async (event) => { got.push(...numbers(event.Records)); },
  });
  await eventually(() => got.length >= 50, "the rest");
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(got, Array.from({ length: 50 }, (_, i) => i)); // nothing twice, nothing missed
  await second.stop();
});

test("a failing batch is delivered again; once retries run out the consumer stops with the error", async () => {
  await freshSlot("retry");
  await putMany("feed", "F", 0, 5);
  const calls: number[][] = [];
  const flaky = await consume({
    pool, slot: "retry", tables: ["feed"], retryDelayMs: 10,
    handler: async (event) => {
      calls.push(numbers(event.Records));
      if (calls.length === 1) throw new Error("transient");
    },
  });
  await eventually(() => calls.length >= 2, "the retry");
  assert.deepEqual(calls, [[0, 1, 2, 3, 4], [0, 1, 2, 3, 4]]);
  await flaky.stop();

  await putMany("feed", "F", 5, 2);
  const broken = await consume({
    pool, slot: "retry", tables: ["feed"], maxRetries: 1, retryDelayMs: 10,
    handler: async () => { throw new Error("poison"); },
  });
  await assert.rejects(broken.done, /poison/);
  assert.equal((await slotPosition("retry")).checkpoint, flaky.checkpoint.sequenceNumber); // nothing acknowledged

  // a partial batch response acknowledges the records before the failed one
  const partial: number[][] = [];
  const third = await consume({
    pool, slot: "retry", tables: ["feed"], retryDelayMs: 10,
    handler: async (event) => {
      partial.push(numbers(event.Records));
      if (partial.length === 1) return { batchItemFailures: [{ itemIdentifier: event.Records[1].dynamodb!.SequenceNumber! }] };
    },
  });
  await eventually(() => partial.length >= 2, "the partial retry");
  assert.deepEqual(partial, [[5, 6], [6]]);
  await third.stop();
});

test("a batch does not end inside a transaction unless it is full, however the records arrive", async () => {
  await freshSlot("whole");
  await freshSlot("whole40");
  // 100 records of 8 kB: the server's megabyte reaches the consumer in many socket reads
  const pad = "x".repeat(8000);
  await doc.send(new TransactWriteCommand({
    TransactItems: Array.from({ length: 100 }, (_, i) => ({
      Put: { TableName: "feed", Item: { PK: "WHOLE", SK: `N#${String(i).padStart(5, "0")}`, n: i, pad } },
    })),
  }));
  await putMany("feed", "WHOLE", 100, 3);
  const sizes = async (slot: string, batchSize: number) => {
    const got: number[][] = [];
    const consumer = await consume({ pool, slot, tables: ["feed"], batchSize,
      handler: async (event) => { got.push(numbers(event.Records)); } });
    await eventually(() => got.flat().length >= 103, "103 records");
    await consumer.stop();
    assert.deepEqual(got.flat(), Array.from({ length: 103 }, (_, i) => i));
    return got.map((b) => b.length);
  };
  // each transaction one batch
  assert.deepEqual(await sizes("whole", 100), [100, 3]);
  // full batches split a transaction; what is left of it ends a batch, alone or
  // with the next transaction when that had arrived too
  const split = String(await sizes("whole40", 40));
  assert.ok(split === "40,40,20,3" || split === "40,40,23", `batches of ${split}`);
});

test("exactly once: the handler's writes and the checkpoint commit together", async () => {
  await freshSlot("exact");
  await freshTable("balances");
  await putMany("feed", "X", 0, 30);
  let failures = 0;
  const handler = async (event: DynamoDBStreamEvent, ctx: StreamContext) => {
    // the DocumentClient of the batch's transaction
    const tx = documentClient({ client: ctx.client! });
    for (const n of numbers(event.Records)) {
      await tx.send(new PutCommand({ TableName: "balances", Item: { PK: "SEEN", SK: `N#${String(n).padStart(2, "0")}` } }));
      await tx.send(new UpdateCommand({ TableName: "balances", Key: { PK: "TOTAL", SK: "-" },
        UpdateExpression: "ADD #c :one", ExpressionAttributeNames: { "#c": "count" }, ExpressionAttributeValues: { ":one": 1 } }));
      // the process dies in the middle of a batch, after some of its writes
      if (n === 15 && failures++ === 0) throw new Error("crash");
    }
  };
  const total = async () => (await doc.send(new GetCommand({ TableName: "balances", Key: { PK: "TOTAL", SK: "-" } }))).Item?.count;
  const first = await consume({ pool, slot: "exact", tables: ["feed"], batchSize: 10, exactlyOnce: true, maxRetries: 0, handler });
  await assert.rejects(first.done, /crash/);
  // the batches before committed with their checkpoint; the failed one rolled back whole
  const applied = (await total()) ?? 0;
  assert.ok(applied <= 15 && applied > 0, `applied ${applied}`);
  const seen = await pool.query("SELECT item->>'SK' AS sk FROM balances WHERE pk = 'SEEN' ORDER BY sk");
  assert.deepEqual(seen.rows.map((r) => r.sk), Array.from({ length: applied }, (_, i) => `N#${String(i).padStart(2, "0")}`));

  const second = await consume({ pool, slot: "exact", tables: ["feed"], batchSize: 10, exactlyOnce: true, handler });
  await eventually(async () => (await total()) === 30, "all 30");
  await second.stop();
  const { rows } = await pool.query("SELECT count(*)::int AS n FROM balances WHERE pk = 'SEEN'");
  assert.equal(rows[0].n, 30);
});

test("flow control: a slow handler holds the stream back instead of buffering it", async () => {
  await freshSlot("flow");
  for (let i = 0; i < 3000; i += 100) await putMany("feed", "FLOW", i, 100);
  let maxBuffered = 0;
  let count = 0;
  const consumer = await consume({
    pool, slot: "flow", tables: ["feed"], batchSize: 50, maxBufferedRecords: 100,
    handler: async (event) => {
      maxBuffered = Math.max(maxBuffered, consumer.buffered);
      count += event.Records.length;
      await new Promise((r) => setTimeout(r, 2));
    },
  });
  await eventually(() => count === 3000, "3000 records", 30000);
  await consumer.stop();
  // paused at 100 records; what one socket read held comes on top
  assert.ok(maxBuffered < 600, `at most ${maxBuffered} records were held in memory`);
  console.log(`# flow control: at most ${maxBuffered} of 3000 records buffered (limit 100)`);
});

test("errors at start: no such slot, a bad option, another plugin's slot, a slot already being read", async () => {
  await assert.rejects(consumeStream({ pool, slot: "no_such_slot", handler: () => {} }),
    /replication slot "no_such_slot" does not exist/);
  await freshSlot("bad");
  await assert.rejects(consumeStream({ pool, slot: "bad", tables: ["no_such_table"], handler: () => {} }),
    (err: unknown) => (err as { code?: string }).code === "42P01");
  await pool.query("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'other_plugin'");
  await pool.query("SELECT pg_create_logical_replication_slot('other_plugin', 'test_decoding')");
  await assert.rejects(consumeStream({ pool, slot: "other_plugin", handler: () => {} }),
    /replication slot "other_plugin" is not a logical slot of the singletable plugin .*its plugin is test_decoding/);
  await pool.query("SELECT pg_drop_replication_slot('other_plugin')");
  // one consumer per slot
  const reader = await consume({ pool, slot: "bad", handler: () => {} });
  await assert.rejects(consumeStream({ pool, slot: "bad", handler: () => {} }), /replication slot "bad" is active/);
  await reader.stop();
  await assert.rejects(consumeStream({ slot: "bad", handler: () => {} } as never), /exactly one of pool or connectionString/);
});
