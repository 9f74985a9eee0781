// Users and their orders, as a DynamoDB team writes them with the
// DocumentClient: PK = USER#<id>, SK = PROFILE | ORDER#<date>#<id>, and a GSI
// (GSI1PK = STATUS#<status>, GSI1SK = <date>#<id>) for orders by status.
// Nothing here knows about PostgreSQL.
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand, paginateQuery,
} from "@aws-sdk/lib-dynamodb";

export interface User { userId: string; email: string; name: string }
export type OrderStatus = "PENDING" | "SHIPPED" | "DELIVERED";
export interface Order { userId: string; orderId: string; date: string; status: OrderStatus; total: number }

export class UserAlreadyExists extends Error {}

export class UserRepository {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly table: string) {}

  async create(user: User): Promise<void> {
    try {
      await this.doc.send(new PutCommand({
        TableName: this.table,
        Item: { PK: `USER#${user.userId}`, SK: "PROFILE", ...user },
        ConditionExpression: "attribute_not_exists(PK)",
      }));
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new UserAlreadyExists(user.userId);
      throw err;
    }
  }

  async get(userId: string): Promise<User | undefined> {
    const { Item } = await this.doc.send(new GetCommand({
      TableName: this.table, Key: { PK: `USER#${userId}`, SK: "PROFILE" },
      ProjectionExpression: "userId, email, #n", ExpressionAttributeNames: { "#n": "name" },
    }));
    return Item as User | undefined;
  }

  async changeEmail(userId: string, email: string): Promise<User> {
    const { Attributes } = await this.doc.send(new UpdateCommand({
      TableName: this.table, Key: { PK: `USER#${userId}`, SK: "PROFILE" },
      UpdateExpression: "SET email = :e", ConditionExpression: "attribute_exists(PK)",
      ExpressionAttributeValues: { ":e": email }, ReturnValues: "ALL_NEW",
    }));
    return Attributes as User;
  }

  async placeOrder(o: Order): Promise<void> {
    await this.doc.send(new PutCommand({
      TableName: this.table,
      Item: { PK: `USER#${o.userId}`, SK: `ORDER#${o.date}#${o.orderId}`, ...o,
              GSI1PK: `STATUS#${o.status}`, GSI1SK: `${o.date}#${o.orderId}` },
    }));
  }

  /** One page of a user's orders, newest first: begins_with on the sort key. */
  async ordersPage(userId: string, limit: number, cursor?: Record<string, unknown>) {
    const page = await this.doc.send(new QueryCommand({
      TableName: this.table,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: { ":pk": `USER#${userId}`, ":prefix": "ORDER#" },
      ScanIndexForward: false, Limit: limit, ExclusiveStartKey: cursor,
    }));
    return { orders: (page.Items ?? []) as Order[], cursor: page.LastEvaluatedKey };
  }

  /** Every order of a user in a month, through the SDK's paginator. */
  async ordersInMonth(userId: string, month: string, pageSize: number): Promise<Order[]> {
    const orders: Order[] = [];
    for await (const page of paginateQuery({ client: this.doc, pageSize }, {
      TableName: this.table,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: { ":pk": `USER#${userId}`, ":prefix": `ORDER#${month}` },
    })) orders.push(...((page.Items ?? []) as Order[]));
    return orders;
  }

  async ordersByStatus(status: OrderStatus): Promise<Order[]> {
    const { Items } = await this.doc.send(new QueryCommand({
      TableName: this.table, IndexName: "GSI1",
      KeyConditionExpression: "GSI1PK = :s", ExpressionAttributeValues: { ":s": `STATUS#${status}` },
    }));
    return (Items ?? []) as Order[];
  }

  async ship(userId: string, date: string, orderId: string): Promise<void> {
    await this.doc.send(new UpdateCommand({
      TableName: this.table, Key: { PK: `USER#${userId}`, SK: `ORDER#${date}#${orderId}` },
      UpdateExpression: "SET #s = :shipped, GSI1PK = :gsi",
      ConditionExpression: "#s = :pending",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":shipped": "SHIPPED", ":pending": "PENDING", ":gsi": "STATUS#SHIPPED" },
    }));
  }
}
