// The forum hierarchy: CATEGORY#<c> holds TOPIC#<t> items, TOPIC#<t> holds
// POST#<time>#<p> items; counters are kept in the same transaction as the
// item they count.
import { DynamoDBDocumentClient, PutCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";

export class ForumRepository {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly table: string) {}

  async createCategory(categoryId: string, name: string): Promise<void> {
    await this.doc.send(new PutCommand({
      TableName: this.table, Item: { PK: "FORUM", SK: `CATEGORY#${categoryId}`, name, topicCount: 0 },
      ConditionExpression: "attribute_not_exists(SK)",
    }));
  }

  async createTopic(categoryId: string, topicId: string, title: string): Promise<void> {
    await this.doc.send(new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: this.table, Item: { PK: `CATEGORY#${categoryId}`, SK: `TOPIC#${topicId}`, title, postCount: 0 },
                 ConditionExpression: "attribute_not_exists(SK)" } },
        { Update: { TableName: this.table, Key: { PK: "FORUM", SK: `CATEGORY#${categoryId}` },
                    UpdateExpression: "ADD topicCount :one", ConditionExpression: "attribute_exists(SK)",
                    ExpressionAttributeValues: { ":one": 1 } } },
      ],
    }));
  }

  async post(categoryId: string, topicId: string, postId: string, at: string, author: string, body: string): Promise<void> {
    await this.doc.send(new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: this.table, Item: { PK: `TOPIC#${topicId}`, SK: `POST#${at}#${postId}`, author, body } } },
        { Update: { TableName: this.table, Key: { PK: `CATEGORY#${categoryId}`, SK: `TOPIC#${topicId}` },
                    UpdateExpression: "ADD postCount :one SET lastPostAt = :at",
                    ExpressionAttributeValues: { ":one": 1, ":at": at } } },
      ],
    }));
  }

  async categories(): Promise<{ SK: string; name: string; topicCount: number }[]> {
    const { Items } = await this.doc.send(new QueryCommand({
      TableName: this.table, KeyConditionExpression: "PK = :f AND begins_with(SK, :c)",
      ExpressionAttributeValues: { ":f": "FORUM", ":c": "CATEGORY#" },
    }));
    return (Items ?? []) as { SK: string; name: string; topicCount: number }[];
  }

  async topics(categoryId: string) {
    const { Items } = await this.doc.send(new QueryCommand({
      TableName: this.table, KeyConditionExpression: "PK = :c AND begins_with(SK, :t)",
      ExpressionAttributeValues: { ":c": `CATEGORY#${categoryId}`, ":t": "TOPIC#" },
    }));
    return (Items ?? []) as { SK: string; title: string; postCount: number; lastPostAt?: string }[];
  }

  /** A page of a topic's posts, oldest first, with the key to ask for the next one. */
  async postsPage(topicId: string, limit: number, cursor?: Record<string, unknown>) {
    const page = await this.doc.send(new QueryCommand({
      TableName: this.table, KeyConditionExpression: "PK = :t AND begins_with(SK, :p)",
      ExpressionAttributeValues: { ":t": `TOPIC#${topicId}`, ":p": "POST#" },
      ProjectionExpression: "SK, author, body", Limit: limit, ExclusiveStartKey: cursor,
    }));
    return { posts: (page.Items ?? []) as { SK: string; author: string; body: string }[], cursor: page.LastEvaluatedKey };
  }
}
