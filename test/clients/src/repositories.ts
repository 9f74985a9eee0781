// The seed's repositories, ported from the DynamoDB DocumentClient onto
// singletable calls.  One table, "app", keyed PK/SK, with a GSI "GSI1"
// (GSI1PK/GSI1SK) for orders by status; the bank account is an event stream
// in its own table.
import { randomUUID } from "node:crypto";
import { SingleTable, Item, Key, cancellationReasons } from "./db";

// ---------------------------------------------------------------- users
export interface User {
  userId: string;
  email: string;
  name: string;
  createdAt: string;
}

export class UserRepository {
  constructor(private db: SingleTable) {}

  private static key(userId: string): Key {
    return { PK: `USER#${userId}`, SK: "PROFILE" };
  }

  /** Create a user; fails if the user exists (ConditionalCheckFailed). */
  async create(user: User): Promise<void> {
    await this.db.putItem({ ...UserRepository.key(user.userId), type: "USER", ...user },
      "attribute_not_exists(PK)");
  }

  async get(userId: string): Promise<User | null> {
    return this.db.getItem<User>(UserRepository.key(userId), "userId, email, #n, createdAt", { "#n": "name" });
  }

  async getMany(userIds: string[]): Promise<User[]> {
    return this.db.batchGet<User>(userIds.map(UserRepository.key));
  }

  async updateEmail(userId: string, email: string): Promise<User | null> {
    return this.db.updateItem<User>(UserRepository.key(userId), "SET email = :e",
      { condition: "attribute_exists(PK)", values: { ":e": email }, returnValues: "ALL_NEW" });
  }

  async delete(userId: string): Promise<User | null> {
    return this.db.deleteItem<User>(UserRepository.key(userId), "ALL_OLD");
  }
}

// ---------------------------------------------------------------- orders
export type OrderStatus = "PENDING" | "SHIPPED" | "DELIVERED";

export interface Order {
  orderId: string;
  userId: string;
  status: OrderStatus;
  total: number;
  createdAt: string;
}

export class OrderRepository {
  constructor(private db: SingleTable) {}

  private static item(o: Order): Item {
    return {
      PK: `USER#${o.userId}`, SK: `ORDER#${o.orderId}`, type: "ORDER", ...o,
      GSI1PK: `STATUS#${o.status}`, GSI1SK: `${o.createdAt}#${o.orderId}`,
    };
  }

  async createMany(orders: Order[]): Promise<void> {
    for (let i = 0; i < orders.length; i += 25)
      await this.db.batchWrite(orders.slice(i, i + 25).map(OrderRepository.item));
  }

  async forUser(userId: string): Promise<Order[]> {
    const page = await this.db.query<Order>("PK = :pk AND begins_with(SK, :o)",
      { values: { ":pk": `USER#${userId}`, ":o": "ORDER#" } });
    return page.Items;
  }

  /** Orders in a status, newest first, through the GSI. */
  async byStatus(status: OrderStatus, limit?: number): Promise<Order[]> {
    const page = await this.db.query<Order>("GSI1PK = :s", {
      index: "GSI1", values: { ":s": `STATUS#${status}` }, forward: false, limit,
    });
    return page.Items;
  }

  /** Move an order on; the status must be the expected one. */
  async updateStatus(userId: string, orderId: string, from: OrderStatus, to: OrderStatus): Promise<void> {
    await this.db.updateItem({ PK: `USER#${userId}`, SK: `ORDER#${orderId}` },
      "SET #s = :to, GSI1PK = :gsi", {
        condition: "#s = :from",
        names: { "#s": "status" },
        values: { ":to": to, ":from": from, ":gsi": `STATUS#${to}` },
      });
  }
}

// ---------------------------------------------------------------- forum
export interface Category { categoryId: string; name: string; topicCount: number }
export interface Topic { topicId: string; categoryId: string; title: string; postCount: number; createdAt: string }
export interface Post { postId: string; topicId: string; author: string; body: string; createdAt: string }

export class ForumRepository {
  constructor(private db: SingleTable) {}

  async createCategory(categoryId: string, name: string): Promise<void> {
    await this.db.putItem({ PK: "CATEGORIES", SK: `CATEGORY#${categoryId}`, categoryId, name, topicCount: 0 },
      "attribute_not_exists(PK)");
  }

  async categories(): Promise<Category[]> {
    return (await this.db.query<Category>("PK = :pk", { values: { ":pk": "CATEGORIES" } })).Items;
  }

  /** A topic and its category's counter, in one transaction. */
  async createTopic(t: Omit<Topic, "postCount">): Promise<void> {
    await this.db.transactWrite([
      { Put: { TableName: this.db.table, Item: { PK: `CATEGORY#${t.categoryId}`, SK: `TOPIC#${t.createdAt}#${t.topicId}`, ...t, postCount: 0 },
               ConditionExpression: "attribute_not_exists(PK)" } },
      { Put: { TableName: this.db.table, Item: { PK: `TOPIC#${t.topicId}`, SK: "META", categoryId: t.categoryId, createdAt: t.createdAt } } },
      { Update: { TableName: this.db.table, Key: { PK: "CATEGORIES", SK: `CATEGORY#${t.categoryId}` },
                  UpdateExpression: "ADD topicCount :one", ConditionExpression: "attribute_exists(PK)",
                  ExpressionAttributeValues: { ":one": 1 } } },
    ]);
  }

  /** One page of a category's topics, newest first. */
  async topics(categoryId: string, limit: number, startKey?: Key): Promise<{ topics: Topic[]; next?: Key }> {
    const page = await this.db.query<Topic>("PK = :pk AND begins_with(SK, :t)", {
      values: { ":pk": `CATEGORY#${categoryId}`, ":t": "TOPIC#" }, forward: false, limit, startKey,
    });
    return { topics: page.Items, next: page.LastEvaluatedKey };
  }

  /** A post, and the topic's post counter, in one transaction. */
  async createPost(p: Post): Promise<void> {
    const meta = await this.db.getItem<{ categoryId: string; createdAt: string }>({ PK: `TOPIC#${p.topicId}`, SK: "META" });
    if (!meta) throw new Error(`no topic ${p.topicId}`);
    await this.db.transactWrite([
      { Put: { TableName: this.db.table, Item: { PK: `TOPIC#${p.topicId}`, SK: `POST#${p.createdAt}#${p.postId}`, ...p },
               ConditionExpression: "attribute_not_exists(PK)" } },
      { Update: { TableName: this.db.table, Key: { PK: `CATEGORY#${meta.categoryId}`, SK: `TOPIC#${meta.createdAt}#${p.topicId}` },
                  UpdateExpression: "ADD postCount :one", ExpressionAttributeValues: { ":one": 1 } } },
    ]);
  }

  /** Every post of a topic, oldest first, read page by page. */
  async *posts(topicId: string, pageSize: number): AsyncGenerator<Post[]> {
    let startKey: Key | undefined;
    do {
      const page = await this.db.query<Post>("PK = :pk AND begins_with(SK, :p)", {
        values: { ":pk": `TOPIC#${topicId}`, ":p": "POST#" }, limit: pageSize, startKey,
      });
      if (page.Items.length > 0) yield page.Items;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}

// ---------------------------------------------------------------- bank account (event sourced)
export type AccountEvent =
  | { eventType: "AccountOpened"; eventData: { owner: string } }
  | { eventType: "MoneyDeposited"; eventData: { amount: number } }
  | { eventType: "MoneyWithdrawn"; eventData: { amount: number } };

export interface AccountState { owner: string; balance: number; version: number }

export class BankAccountRepository {
  constructor(private db: SingleTable) {}

  private stream(accountId: string): string {
    return `ACCOUNT#${accountId}`;
  }

  /** Append events at an expected version (0: the account must be new). */
  async append(accountId: string, events: AccountEvent[], expectedVersion: number): Promise<number> {
    const stored = events.map((e) => ({
      eventId: randomUUID(), ...e,
    }));
    const res = await this.db.pool.query(
      "SELECT singletable.append_events($1, $2, $3, expected_version => $4) AS v",
      [this.db.table, this.stream(accountId), JSON.stringify(stored), expectedVersion]);
    return Number(res.rows[0].v);
  }

  async load(accountId: string): Promise<AccountState> {
    const res = await this.db.pool.query("SELECT e FROM singletable.read_stream($1, $2) AS e",
      [this.db.table, this.stream(accountId)]);
    const state: AccountState = { owner: "", balance: 0, version: 0 };
    for (const { e } of res.rows) {
      switch (e.eventType) {
        case "AccountOpened": state.owner = e.eventData.owner; break;
        case "MoneyDeposited": state.balance += e.eventData.amount; break;
        case "MoneyWithdrawn": state.balance -= e.eventData.amount; break;
      }
      state.version = Number(e.eventVersion);
    }
    return state;
  }

  async withdraw(accountId: string, amount: number): Promise<number> {
    const state = await this.load(accountId);
    if (state.balance < amount) throw new Error("insufficient funds");
    return this.append(accountId, [{ eventType: "MoneyWithdrawn", eventData: { amount } }], state.version);
  }
}

export { cancellationReasons };
