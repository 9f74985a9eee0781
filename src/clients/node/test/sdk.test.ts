// The seed domain's DynamoDB code (test/domain), unchanged, on singletable
// through SingletableRequestHandler: DocumentClient commands, the SDK's
// paginator, and the SDK's own exception classes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  ConditionalCheckFailedException, DescribeEndpointsCommand, DynamoDBClient, InternalServerError,
  ResourceNotFoundException, TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { DatabaseError, Pool } from "pg";
import { SingletableRequestHandler } from "../src";
import { documentClient, dynamoClient, freshTable, pool } from "./helpers";
import { UserAlreadyExists, UserRepository } from "./domain/users";
import { ForumRepository } from "./domain/forum";
import { ConcurrencyError, EventStore } from "./domain/eventstore";
import { SagaOrchestrator, StepAlreadyTaken } from "./domain/saga";
import { importItems } from "./domain/importer";

const doc = documentClient({ pool });

before(async () => {
  await freshTable("app", true);
  await freshTable("events");
});

after(async () => {
  doc.destroy();
  await pool.end();
});

test("users and orders: conditional create, begins_with pages, the paginator, the GSI", async () => {
  const users = new UserRepository(doc, "app");
  await users.create({ userId: "ann", email: "ann@example.com", name: "Ann" });
  await assert.rejects(users.create({ userId: "ann", email: "x@example.com", name: "X" }), UserAlreadyExists);
  assert.deepEqual(await users.get("ann"), { userId: "ann", email: "ann@example.com", name: "Ann" });
  assert.equal(await users.get("nobody"), undefined);
  assert.equal((await users.changeEmail("ann", "ann@new.example.com")).email, "ann@new.example.com");
  await assert.rejects(users.changeEmail("nobody", "x@example.com"), ConditionalCheckFailedException);

  for (let d = 1; d <= 12; d++)
    await users.placeOrder({ userId: "ann", orderId: `o${d}`, date: `2026-${d <= 6 ? "10" : "11"}-${String(d).padStart(2, "0")}`,
                             status: "PENDING", total: d * 10.5 });
  // pages of 5, newest first, each resuming at LastEvaluatedKey
  const seen: string[] = [];
  let cursor: Record<string, unknown> | undefined;
  let pages = 0;
  do {
    const page = await users.ordersPage("ann", 5, cursor);
    seen.push(...page.orders.map((o) => o.orderId));
    cursor = page.cursor;
    pages++;
  } while (cursor);
  assert.deepEqual(seen, ["o12", "o11", "o10", "o9", "o8", "o7", "o6", "o5", "o4", "o3", "o2", "o1"]);
  assert.ok(pages >= 3);
  // the SDK's paginator, a month at a time
  const october = await users.ordersInMonth("ann", "2026-10", 4);
  assert.deepEqual(october.map((o) => o.orderId), ["o1", "o2", "o3", "o4", "o5", "o6"]);
  assert.equal(october[2].total, 31.5);

  await users.ship("ann", "2026-11-09", "o9");
  await assert.rejects(users.ship("ann", "2026-11-09", "o9"), ConditionalCheckFailedException);
  assert.deepEqual((await users.ordersByStatus("SHIPPED")).map((o) => o.orderId), ["o9"]);
  assert.equal((await users.ordersByStatus("PENDING")).length, 11);
});

test("forum: categories, topics and posts, counters in the same transaction, paged posts", async () => {
  const forum = new ForumRepository(doc, "app");
  await forum.createCategory("pg", "PostgreSQL");
  await forum.createCategory("ddb", "DynamoDB");
  await forum.createTopic("pg", "t1", "Logical decoding");
  await forum.createTopic("pg", "t2", "GSIs");
  // a topic in a category that does not exist: the whole transaction is cancelled
  await assert.rejects(forum.createTopic("nope", "t3", "Lost"), TransactionCanceledException);
  assert.deepEqual((await forum.topics("nope")), []);
  for (let i = 1; i <= 11; i++)
    await forum.post("pg", "t1", `p${i}`, `2026-11-01T10:00:${String(i).padStart(2, "0")}Z`, i % 2 ? "ann" : "bob", `post ${i}`);

  assert.deepEqual((await forum.categories()).map((c) => [c.SK, c.topicCount]), [["CATEGORY#ddb", 0], ["CATEGORY#pg", 2]]);
  const t1 = (await forum.topics("pg")).find((t) => t.SK === "TOPIC#t1");
  assert.equal(t1?.postCount, 11);
  assert.equal(t1?.lastPostAt, "2026-11-01T10:00:11Z");
  const sizes: number[] = [];
  const bodies: string[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await forum.postsPage("t1", 4, cursor);
    sizes.push(page.posts.length);
    bodies.push(...page.posts.map((p) => p.body));
    cursor = page.cursor;
  } while (cursor);
  assert.deepEqual(sizes, [4, 4, 3]);
  assert.deepEqual(bodies, Array.from({ length: 11 }, (_, i) => `post ${i + 1}`));
});

test("event store: TransactWriteCommand appends; the writer that lost the race gets TransactionCanceledException", async () => {
  const store = new EventStore(doc, "events");
  assert.equal(await store.append("ACCOUNT#1", [{ eventType: "AccountOpened", eventData: { owner: "ann" } }], 0), 1);
  assert.equal(await store.append("ACCOUNT#1", [
    { eventType: "MoneyDeposited", eventData: { amount: 100 } },
    { eventType: "MoneyDeposited", eventData: { amount: 25.5 } },
  ], 1), 3);
  // a second writer that read version 1 too
  await assert.rejects(store.append("ACCOUNT#1", [{ eventType: "MoneyWithdrawn", eventData: { amount: 500 } }], 1),
    (err: unknown) => err instanceof ConcurrencyError &&
      JSON.stringify(err.reasons) === JSON.stringify(["ConditionalCheckFailed", "ConditionalCheckFailed"]));
  // opening the account again
  await assert.rejects(store.append("ACCOUNT#1", [{ eventType: "AccountOpened", eventData: { owner: "x" } }], 0),
    (err: unknown) => err instanceof ConcurrencyError &&
      JSON.stringify(err.reasons) === JSON.stringify(["ConditionalCheckFailed", "ConditionalCheckFailed"]));
  const events = await store.read("ACCOUNT#1");
  assert.deepEqual(events.map((e) => [e.eventVersion, e.eventType]),
    [[1, "AccountOpened"], [2, "MoneyDeposited"], [3, "MoneyDeposited"]]);
  assert.equal(events[2].eventData.amount, 25.5);
});

test("TransactionCanceledException carries CancellationReasons, with the item for ALL_OLD", async () => {
  await doc.send(new PutCommand({ TableName: "app", Item: { PK: "TX", SK: "A", n: 1 } }));
  const err = await doc.send(new TransactWriteCommand({
    TransactItems: [
      { Put: { TableName: "app", Item: { PK: "TX", SK: "B", n: 2 } } },
      { Update: { TableName: "app", Key: { PK: "TX", SK: "A" }, UpdateExpression: "SET n = :two",
                  ConditionExpression: "n = :zero", ExpressionAttributeValues: { ":two": 2, ":zero": 0 },
                  ReturnValuesOnConditionCheckFailure: "ALL_OLD" } },
    ],
  })).then(() => assert.fail("expected a cancelled transaction"), (e: unknown) => e);
  assert.ok(err instanceof TransactionCanceledException, String(err));
  assert.equal(err.$metadata.httpStatusCode, 400);
  assert.deepEqual(err.CancellationReasons?.map((r) => r.Code), ["None", "ConditionalCheckFailed"]);
  assert.deepEqual(err.CancellationReasons?.[1].Item, { PK: { S: "TX" }, SK: { S: "A" }, n: { N: "1" } });
  // nothing of it was written
  assert.equal((await doc.send(new GetCommand({ TableName: "app", Key: { PK: "TX", SK: "B" } }))).Item, undefined);
});

test("saga orchestrator: conditional step updates; a step taken twice fails with the item", async () => {
  const saga = new SagaOrchestrator(doc, "app");
  await saga.start("s1", "o1");
  assert.equal(await saga.complete("s1", "RESERVE_STOCK"), "CHARGE_PAYMENT");
  // the same message delivered twice: the second one finds the saga moved on
  const again = await saga.complete("s1", "RESERVE_STOCK").then(() => assert.fail("expected StepAlreadyTaken"), (e: unknown) => e);
  assert.ok(again instanceof StepAlreadyTaken);
  assert.deepEqual(again.current?.step, { S: "CHARGE_PAYMENT" });
  assert.equal(await saga.complete("s1", "CHARGE_PAYMENT"), "SHIP");
  assert.equal(await saga.complete("s1", "SHIP"), "DONE");
  assert.deepEqual(await saga.state("s1"), {
    PK: "SAGA#s1", SK: "STATE", orderId: "o1", step: "DONE", status: "COMPLETED",
    history: ["RESERVE_STOCK", "CHARGE_PAYMENT", "SHIP"],
  });

  await saga.start("s2", "o2");
  await saga.complete("s2", "RESERVE_STOCK");
  assert.deepEqual(await saga.fail("s2", "CHARGE_PAYMENT", "card declined"), ["UNDO_RESERVE_STOCK"]);
  assert.equal((await saga.state("s2"))?.status, "FAILED");
  await assert.rejects(saga.complete("s2", "CHARGE_PAYMENT"), StepAlreadyTaken);
});

test("BatchWriteCommand: chunks of 25, UnprocessedItems sent again until empty", async () => {
  const items = Array.from({ length: 60 }, (_, i) => ({ PK: "IMPORT", SK: `ITEM#${String(i).padStart(3, "0")}`, i }));
  assert.equal(await importItems(doc, "app", items), 3); // nothing left unprocessed, no extra calls
  const { Count, Items } = await doc.send(new QueryCommand({
    TableName: "app", KeyConditionExpression: "PK = :p", ExpressionAttributeValues: { ":p": "IMPORT" },
  }));
  assert.equal(Count, 60);
  assert.equal(Items?.[59].i, 59);
});

test("the SDK's exceptions: status 400, no retries, the SDK's classes", async () => {
  await doc.send(new PutCommand({ TableName: "app", Item: { PK: "E", SK: "1", v: 1 } }));
  const ccf = await doc.send(new PutCommand({
    TableName: "app", Item: { PK: "E", SK: "1" }, ConditionExpression: "attribute_not_exists(SK)",
    ReturnValuesOnConditionCheckFailure: "ALL_OLD",
  })).then(() => assert.fail("expected ConditionalCheckFailedException"), (e: unknown) => e);
  assert.ok(ccf instanceof ConditionalCheckFailedException, String(ccf));
  assert.equal(ccf.$metadata.httpStatusCode, 400);
  assert.equal(ccf.$metadata.attempts, 1);
  assert.equal(ccf.$fault, "client");
  assert.match(ccf.message, /conditional request failed/i);

  const missing = await doc.send(new GetCommand({ TableName: "no_such_table", Key: { PK: "x", SK: "y" } }))
    .then(() => assert.fail("expected ResourceNotFoundException"), (e: unknown) => e);
  assert.ok(missing instanceof ResourceNotFoundException, String(missing));

  const bad = await doc.send(new UpdateCommand({ TableName: "app", Key: { PK: "E", SK: "1" }, UpdateExpression: "SET v = " }))
    .then(() => assert.fail("expected ValidationException"), (e: unknown) => e as Error & { $metadata: { httpStatusCode: number } });
  assert.equal(bad.name, "ValidationException");
  assert.equal(bad.$metadata.httpStatusCode, 400);
  // the item is untouched
  assert.equal((await doc.send(new GetCommand({ TableName: "app", Key: { PK: "E", SK: "1" } }))).Item?.v, 1);
});

test("U+0000, which jsonb cannot hold, is a ValidationException that leaves the transaction usable", async () => {
  const client = await pool.connect();
  try {
    const tx = documentClient({ client });
    await client.query("BEGIN");
    const nul = await tx.send(new PutCommand({ TableName: "app", Item: { PK: "NUL", SK: "1", s: "a\u0000b" } }))
      .then(() => assert.fail("expected ValidationException"), (e: unknown) => e as Error & { $metadata: { httpStatusCode: number } });
    assert.equal(nul.name, "ValidationException");
    assert.match(nul.message, /U\+0000/);
    assert.equal(nul.$metadata.httpStatusCode, 400);
    // the text backslash-u-0000 is an ordinary string
    await tx.send(new PutCommand({ TableName: "app", Item: { PK: "NUL", SK: "2", s: "a\\u0000b" } }));
    await client.query("COMMIT");
  } finally {
    client.release();
  }
  const got = await doc.send(new GetCommand({ TableName: "app", Key: { PK: "NUL", SK: "2" } }));
  assert.equal(got.Item?.s, "a\\u0000b");
});

test("endpoint discovery is answered; a request from another service is an UnknownOperationException", async () => {
  const out = await dynamoClient({ pool }).send(new DescribeEndpointsCommand({}));
  assert.ok(Array.isArray(out.Endpoints));
  const handler = new SingletableRequestHandler({ pool });
  const { response } = await handler.handle({
    method: "POST", protocol: "https:", hostname: "localhost", path: "/", query: {},
    headers: { "X-Amz-Target": "DynamoDB_20120810.NoSuchOperation" }, body: "{}",
  });
  assert.equal(response.statusCode, 400);
  assert.match(JSON.parse(response.body.toString()).__type, /UnknownOperationException$/);
});

test("DynamoDB calls join a SQL transaction on a checked-out client", async () => {
  const client = await pool.connect();
  try {
    const tx = documentClient({ client });
    await client.query("BEGIN");
    await tx.send(new PutCommand({ TableName: "app", Item: { PK: "TXN", SK: "kept", v: 1 } }));
    // a failed condition is answered as DynamoDB's error and leaves the transaction usable
    await assert.rejects(tx.send(new PutCommand({ TableName: "app", Item: { PK: "TXN", SK: "kept" },
      ConditionExpression: "attribute_not_exists(SK)" })), ConditionalCheckFailedException);
    await client.query("INSERT INTO app (item) SELECT jsonb_build_object('PK', 'TXN', 'SK', 'sql', 'v', 2)");
    // other sessions see none of it yet
    assert.equal((await doc.send(new GetCommand({ TableName: "app", Key: { PK: "TXN", SK: "kept" } }))).Item, undefined);
    await client.query("COMMIT");

    await client.query("BEGIN");
    await tx.send(new PutCommand({ TableName: "app", Item: { PK: "TXN", SK: "rolled back" } }));
    await client.query("ROLLBACK");
  } finally {
    client.release();
  }
  const { Items } = await doc.send(new QueryCommand({
    TableName: "app", KeyConditionExpression: "PK = :p", ExpressionAttributeValues: { ":p": "TXN" },
  }));
  assert.deepEqual(Items, [{ PK: "TXN", SK: "kept", v: 1 }, { PK: "TXN", SK: "sql", v: 2 }]);
});

test("errors that end the statement's transaction: DynamoDB's answers with a pool, pg's error with a client", async () => {
  await freshTable("errs");
  await pool.query(`CREATE OR REPLACE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.item ? 'boom' THEN PERFORM 1 / 0; END IF; RETURN NEW; END $$`);
  await pool.query("CREATE TRIGGER boom BEFORE INSERT OR UPDATE ON errs FOR EACH ROW EXECUTE FUNCTION boom()");

  // anything unexpected is an InternalServerError (500), which the SDK retries as it would DynamoDB's
  const internal = await doc.send(new PutCommand({ TableName: "errs", Item: { PK: "x", SK: "1", boom: true } }))
    .then(() => assert.fail("expected InternalServerError"), (e: unknown) => e);
  assert.ok(internal instanceof InternalServerError, String(internal));
  assert.equal(internal.$metadata.httpStatusCode, 500);
  assert.ok((internal.$metadata.attempts ?? 0) > 1); // the SDK retried it
  assert.match(internal.message, /division by zero \(SQLSTATE 22012\)/);

  // a lock wait past lock_timeout is RequestLimitExceeded
  const impatient = new Pool({ max: 1, options: "-c lock_timeout=50" });
  const holder = await pool.connect();
  try {
    await doc.send(new PutCommand({ TableName: "errs", Item: { PK: "x", SK: "locked" } }));
    await holder.query("BEGIN");
    await holder.query("SELECT 1 FROM errs WHERE pk = 'x' AND sk = 'locked' FOR UPDATE");
    const limited = await DynamoDBDocumentClient.from(new DynamoDBClient({
      region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 1,
      requestHandler: new SingletableRequestHandler({ pool: impatient }),
    })).send(new PutCommand({ TableName: "errs", Item: { PK: "x", SK: "locked", v: 2 } }))
      .then(() => assert.fail("expected RequestLimitExceeded"), (e: unknown) => e as Error & { $metadata: { httpStatusCode: number } });
    assert.equal(limited.name, "RequestLimitExceeded");
    assert.equal(limited.$metadata.httpStatusCode, 400);
  } finally {
    await holder.query("ROLLBACK");
    holder.release();
    await impatient.end();
  }

  // inside the caller's transaction: pg's own error, once, and the caller rolls back
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await assert.rejects(documentClient({ client }).send(new PutCommand({ TableName: "errs", Item: { PK: "x", SK: "2", boom: true } })),
      (err: unknown) => err instanceof DatabaseError && err.code === "22012");
    await assert.rejects(documentClient({ client }).send(new GetCommand({ TableName: "errs", Key: { PK: "x", SK: "1" } })),
      (err: unknown) => err instanceof DatabaseError && err.code === "25P02");
    await client.query("ROLLBACK");
  } finally {
    client.release();
  }
});

// Sets and binary keep their DynamoDB type through execute() (tags in the
// stored item), so DocumentClient gets a Set and a Uint8Array back.
test("string and number sets round-trip as Set", async () => {
  await doc.send(new PutCommand({ TableName: "app", Item: { PK: "SETS", SK: "1", tags: new Set(["a", "b"]), ids: new Set([1, 2]) } }));
  const { Item } = await doc.send(new GetCommand({ TableName: "app", Key: { PK: "SETS", SK: "1" } }));
  assert.deepEqual(Item?.tags, new Set(["a", "b"]));
  assert.deepEqual(Item?.ids, new Set([1, 2]));
});

test("Uint8Array round-trips as binary", async () => {
  const bytes = new Uint8Array([0, 1, 254, 255]);
  await doc.send(new PutCommand({ TableName: "app", Item: { PK: "BIN", SK: "1", data: bytes } }));
  const { Item } = await doc.send(new GetCommand({ TableName: "app", Key: { PK: "BIN", SK: "1" } }));
  assert.ok(Item?.data instanceof Uint8Array, `got ${JSON.stringify(Item?.data)}`);
  assert.deepEqual(Array.from(Item.data as Uint8Array), [0, 1, 254, 255]);
});
