// The seed's repositories on singletable, against a live database: every
// test writes through the repositories and asserts on what it reads back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Pool, DatabaseError } from "pg";
import { SingleTable, cancellationReasons, dynamoErrorType } from "./db";
import { UserRepository, OrderRepository, ForumRepository, BankAccountRepository, Order } from "./repositories";

const pool = new Pool({ max: 4 });
const app = new SingleTable(pool, "app");
const events = new SingleTable(pool, "bank_events");
const users = new UserRepository(app);
const orders = new OrderRepository(app);
const forum = new ForumRepository(app);
const bank = new BankAccountRepository(events);

before(async () => {
  await pool.query("DROP TABLE IF EXISTS app, bank_events");
  await pool.query("SELECT singletable.create_table('app')");
  await pool.query("SELECT singletable.create_index('app', 'GSI1', 'GSI1PK', 'GSI1SK')");
  await pool.query("SELECT singletable.create_table('bank_events')");
});

after(async () => {
  await pool.end();
});

test("users: create, read, update, delete", async () => {
  await users.create({ userId: "u1", email: "ann@example.com", name: "Ann", createdAt: "2024-01-01T00:00:00Z" });
  await users.create({ userId: "u2", email: "bob@example.com", name: "Bob", createdAt: "2024-01-02T00:00:00Z" });
  assert.deepEqual(await users.get("u1"),
    { userId: "u1", email: "ann@example.com", name: "Ann", createdAt: "2024-01-01T00:00:00Z" });
  assert.equal(await users.get("nobody"), null);

  // creating twice fails on the condition
  await assert.rejects(
    users.create({ userId: "u1", email: "x@example.com", name: "X", createdAt: "2024-01-03T00:00:00Z" }),
    (err: unknown) => err instanceof DatabaseError && err.code === "ST001" &&
      dynamoErrorType(err) === "ConditionalCheckFailedException");

  const updated = await users.updateEmail("u1", "ann@new.example.com");
  assert.equal(updated?.email, "ann@new.example.com");
  await assert.rejects(users.updateEmail("nobody", "x@example.com"), { code: "ST001" });

  const many = await users.getMany(["u1", "u2", "u3"]);
  assert.deepEqual(many.map((u) => u.userId).sort(), ["u1", "u2"]);

  const deleted = await users.delete("u2");
  assert.equal(deleted?.name, "Bob");
  assert.equal(await users.get("u2"), null);
});

test("orders: by user and by status through the GSI", async () => {
  const list: Order[] = [];
  for (let i = 1; i <= 30; i++)
    list.push({
      orderId: String(i).padStart(3, "0"), userId: i % 2 ? "u1" : "u9",
      status: i % 3 === 0 ? "SHIPPED" : "PENDING", total: i * 10,
      createdAt: `2024-02-${String(i).padStart(2, "0")}T00:00:00Z`,
    });
  await orders.createMany(list);

  const u1 = await orders.forUser("u1");
  assert.equal(u1.length, 15);
  assert.ok(u1.every((o) => o.userId === "u1"));

  const shipped = await orders.byStatus("SHIPPED");
  assert.equal(shipped.length, 10);
  assert.deepEqual(shipped.slice(0, 2).map((o) => o.orderId), ["030", "027"]); // newest first
  assert.equal((await orders.byStatus("PENDING", 5)).length, 5);

  await orders.updateStatus("u1", "003", "SHIPPED", "DELIVERED");
  assert.equal((await orders.byStatus("SHIPPED")).length, 9);
  assert.deepEqual((await orders.byStatus("DELIVERED")).map((o) => o.orderId), ["003"]);
  // the expected status no longer holds
  await assert.rejects(orders.updateStatus("u1", "003", "SHIPPED", "DELIVERED"), { code: "ST001" });
});

test("forum: categories, topics and posts with pagination", async () => {
  await forum.createCategory("general", "General");
  await forum.createCategory("help", "Help");
  assert.deepEqual((await forum.categories()).map((c) => c.name), ["General", "Help"]);

  for (let i = 1; i <= 7; i++)
    await forum.createTopic({ topicId: `t${i}`, categoryId: "general", title: `Topic ${i}`,
                              createdAt: `2024-03-0${i}T00:00:00Z` });
  const cats = await forum.categories();
  assert.equal(cats.find((c) => c.categoryId === "general")?.topicCount, 7);

  // topics, newest first, three per page
  const seen: string[] = [];
  let next;
  let pages = 0;
  do {
    const page = await forum.topics("general", 3, next);
    seen.push(...page.topics.map((t) => t.topicId));
    next = page.next;
    pages++;
  } while (next);
  assert.deepEqual(seen, ["t7", "t6", "t5", "t4", "t3", "t2", "t1"]);
  assert.ok(pages >= 3);

  // a topic in a category that does not exist: the transaction is cancelled
  // and nothing of it is written
  try {
    await forum.createTopic({ topicId: "tx", categoryId: "nope", title: "X", createdAt: "2024-03-09T00:00:00Z" });
    assert.fail("expected a cancelled transaction");
  } catch (err) {
    const reasons = cancellationReasons(err);
    assert.deepEqual(reasons?.map((r) => r.Code), ["None", "None", "ConditionalCheckFailed"]);
  }
  assert.equal(await app.getItem({ PK: "TOPIC#tx", SK: "META" }), null);

  for (let i = 1; i <= 12; i++)
    await forum.createPost({ postId: `p${String(i).padStart(2, "0")}`, topicId: "t3", author: i % 2 ? "ann" : "bob",
                             body: `post ${i}`, createdAt: `2024-03-10T00:00:${String(i).padStart(2, "0")}Z` });
  const pageSizes: number[] = [];
  const bodies: string[] = [];
  for await (const page of forum.posts("t3", 5)) {
    pageSizes.push(page.length);
    bodies.push(...page.map((p) => p.body));
  }
  assert.deepEqual(pageSizes, [5, 5, 2]);
  assert.equal(bodies[0], "post 1");
  assert.equal(bodies[11], "post 12");
  const topic = (await forum.topics("general", 10)).topics.find((t) => t.topicId === "t3");
  assert.equal(topic?.postCount, 12);
});

test("bank account: event sourced with optimistic versions", async () => {
  assert.equal(await bank.append("a1", [{ eventType: "AccountOpened", eventData: { owner: "Ann" } }], 0), 1);
  assert.equal(await bank.append("a1", [
    { eventType: "MoneyDeposited", eventData: { amount: 100 } },
    { eventType: "MoneyDeposited", eventData: { amount: 50 } },
  ], 1), 3);
  assert.equal(await bank.withdraw("a1", 30), 4);
  assert.deepEqual(await bank.load("a1"), { owner: "Ann", balance: 120, version: 4 });

  // a writer that read version 3 loses: a version conflict, nothing appended
  await assert.rejects(
    bank.append("a1", [{ eventType: "MoneyWithdrawn", eventData: { amount: 500 } }], 3),
    { code: "ST003" });
  await assert.rejects(bank.withdraw("a1", 1000), /insufficient funds/);
  assert.equal((await bank.load("a1")).balance, 120);
  // opening an existing account again conflicts too
  await assert.rejects(bank.append("a1", [{ eventType: "AccountOpened", eventData: { owner: "X" } }], 0),
    { code: "ST003" });
});

test("execute: the DynamoDB wire shape, as ported SDK code sends it", async () => {
  await app.execute("PutItem", {
    TableName: "app",
    Item: { PK: { S: "USER#u5" }, SK: { S: "PROFILE" }, name: { S: "Eve" }, logins: { N: "0" } },
    ConditionExpression: "attribute_not_exists(PK)",
  });
  const got = await app.execute("GetItem", { TableName: "app", Key: { PK: { S: "USER#u5" }, SK: { S: "PROFILE" } } });
  assert.deepEqual(got.Item.name, { S: "Eve" });
  const upd = await app.execute("UpdateItem", {
    TableName: "app", Key: { PK: { S: "USER#u5" }, SK: { S: "PROFILE" } },
    UpdateExpression: "ADD logins :one", ExpressionAttributeValues: { ":one": { N: "1" } },
    ReturnValues: "UPDATED_NEW",
  });
  assert.deepEqual(upd, { Attributes: { logins: { N: "1" } } });
  const q = await app.execute("Query", {
    TableName: "app", IndexName: "GSI1", KeyConditionExpression: "GSI1PK = :s",
    ExpressionAttributeValues: { ":s": { S: "STATUS#PENDING" } }, Limit: 3,
  });
  assert.equal(q.Count, 3);
  assert.ok(q.LastEvaluatedKey.GSI1PK.S === "STATUS#PENDING");
  await assert.rejects(app.execute("GetItem", { TableName: "app", Key: { PK: { S: "x" }, SK: { N: "abc" } } }),
    (err: unknown) => err instanceof DatabaseError && err.code === "22023" &&
      dynamoErrorType(err) === "ValidationException");
  await assert.rejects(app.execute("GetItem", { TableName: "missing", Key: { PK: { S: "x" } } }),
    (err: unknown) => dynamoErrorType(err) === "ResourceNotFoundException");
});
