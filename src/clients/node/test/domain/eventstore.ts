// An event store on the single table: PK = the stream, SK = EVENT#<version
// zero-padded to 10>, one VERSION item per stream.  An append writes the
// events and moves the VERSION item in one TransactWriteItems; two writers
// that read the same version race on attribute_not_exists(SK) and on the
// version condition, and the loser gets TransactionCanceledException.
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { randomUUID } from "node:crypto";

export interface NewEvent { eventType: string; eventData: Record<string, unknown> }
export interface StoredEvent extends NewEvent { eventId: string; eventVersion: number; timestamp: string }

export class ConcurrencyError extends Error {
  constructor(readonly stream: string, readonly expectedVersion: number, readonly reasons: string[]) {
    super(`stream ${stream} is not at version ${expectedVersion}`);
  }
}

const pad = (v: number) => String(v).padStart(10, "0");

export class EventStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly table: string) {}

  async append(stream: string, events: NewEvent[], expectedVersion: number): Promise<number> {
    const timestamp = new Date().toISOString();
    const version = expectedVersion + events.length;
    try {
      await this.doc.send(new TransactWriteCommand({
        TransactItems: [
          ...events.map((e, i) => ({
            Put: {
              TableName: this.table,
              Item: { PK: stream, SK: `EVENT#${pad(expectedVersion + i + 1)}`, eventId: randomUUID(),
                      eventVersion: expectedVersion + i + 1, timestamp, ...e },
              ConditionExpression: "attribute_not_exists(SK)",
            },
          })),
          expectedVersion === 0
            ? { Put: { TableName: this.table, Item: { PK: stream, SK: "VERSION", version },
                       ConditionExpression: "attribute_not_exists(SK)" } }
            : { Update: { TableName: this.table, Key: { PK: stream, SK: "VERSION" },
                          UpdateExpression: "SET version = :v", ConditionExpression: "version = :expected",
                          ExpressionAttributeValues: { ":v": version, ":expected": expectedVersion } } },
        ],
      }));
    } catch (err) {
      if (err instanceof TransactionCanceledException)
        throw new ConcurrencyError(stream, expectedVersion, (err.CancellationReasons ?? []).map((r) => r.Code ?? ""));
      throw err;
    }
    return version;
  }

  async read(stream: string): Promise<StoredEvent[]> {
    const { Items } = await this.doc.send(new QueryCommand({
      TableName: this.table, KeyConditionExpression: "PK = :s AND begins_with(SK, :e)",
      ExpressionAttributeValues: { ":s": stream, ":e": "EVENT#" }, ConsistentRead: true,
    }));
    return (Items ?? []) as StoredEvent[];
  }
}
