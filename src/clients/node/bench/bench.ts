// Measures what the package costs: a DocumentClient GetCommand/PutCommand
// through SingletableRequestHandler against the same call as plain SQL
// (get_item/put_item over the same pg pool), and consumeStream's rate in
// records per second, at least once and exactly once.
//   npm run build && PGDATABASE=... node dist/bench/bench.js [calls] [records]
// The database needs the extension; the bench makes a table and slots of its
// own and drops them.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { Pool } from "pg";
import { consumeStream, SingletableRequestHandler } from "../src";

const calls = Number(process.argv[2] ?? 2000);
const records = Number(process.argv[3] ?? 20000);
const pool = new Pool({ max: 4 });
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({
  region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" },
  requestHandler: new SingletableRequestHandler({ pool }),
}));

async function timed(label: string, n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(200, n); i++) await fn(i); // warm up
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn(i);
  const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
  const c = process.cpuUsage(c0);
  // the client's own CPU per call: what the package and the SDK add, whatever the server's load
  const cpu = (c.user + c.system) / n;
  console.log(`${label.padEnd(44)} ${us.toFixed(0).padStart(6)} us/call, client CPU ${cpu.toFixed(0).padStart(5)} us/call`);
  return cpu;
}

async function drain(slot: string, exactlyOnce: boolean): Promise<void> {
  let seen = 0;
  let finished!: () => void;
  const all = new Promise<void>((r) => { finished = r; });
  const t0 = process.hrtime.bigint();
  const consumer = await consumeStream({
    pool, slot, tables: "bench_items", exactlyOnce, batchSize: 100,
    handler: async (event) => { seen += event.Records.length; if (seen >= records) finished(); },
  });
  await all;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  await consumer.stop();
  console.log(`${`consumeStream, ${exactlyOnce ? "exactly once" : "at least once"}, batches of 100`.padEnd(44)} ${Math.round(records / s).toString().padStart(8)} records/s`);
}

async function main() {
  await pool.query("DROP TABLE IF EXISTS bench_items");
  await pool.query("SELECT singletable.create_table('bench_items')");
  const item = (i: number) => ({ PK: `USER#${i % 500}`, SK: `ORDER#${i}`, total: i * 1.5, status: "PENDING", tags: ["a", "b"] });
  const put = await timed("put_item over pg", calls, (i) => pool.query("SELECT singletable.put_item('bench_items', $1)", [item(i)]));
  const sdkPut = await timed("PutCommand through SingletableRequestHandler", calls, (i) => doc.send(new PutCommand({ TableName: "bench_items", Item: item(i) })));
  const get = await timed("get_item over pg", calls, (i) => pool.query("SELECT singletable.get_item('bench_items', $1)", [{ PK: `USER#${i % 500}`, SK: `ORDER#${i}` }]));
  const sdkGet = await timed("GetCommand through SingletableRequestHandler", calls, (i) => doc.send(new GetCommand({ TableName: "bench_items", Key: { PK: `USER#${i % 500}`, SK: `ORDER#${i}` } })));
  console.log(`client CPU the SDK path adds: put +${(sdkPut - put).toFixed(0)} us, get +${(sdkGet - get).toFixed(0)} us per call`);

  for (const exactlyOnce of [false, true]) {
    const slot = exactlyOnce ? "bench_exact" : "bench_atleast";
    await pool.query("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", [slot]);
    await pool.query("DELETE FROM singletable.stream_checkpoints WHERE slot_name = $1", [slot]);
    await pool.query("SELECT pg_create_logical_replication_slot($1, 'singletable')", [slot]);
    // new keys per run: rewriting an item unchanged makes no record
    await pool.query(`SELECT count(singletable.put_item('bench_items', jsonb_build_object('PK', $2 || (g % 100), 'SK', 'N#' || g, 'n', g, 'pad', repeat('x', 100))))
                        FROM generate_series(1, $1) g`, [records, slot]);
    await drain(slot, exactlyOnce);
    await pool.query("SELECT pg_drop_replication_slot($1)", [slot]);
    await pool.query("DELETE FROM singletable.stream_checkpoints WHERE slot_name = $1", [slot]);
  }
  await pool.query("DROP TABLE bench_items");
  doc.destroy();
  await pool.end();
}

main().catch((err) => { console.error(err); process.exit(1); });
