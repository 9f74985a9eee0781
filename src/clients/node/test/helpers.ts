// What the tests share: a pg pool on the database that test/run gives
// (PGHOST, PGPORT, PGUSER, PGDATABASE), DocumentClients that talk to it
// through SingletableRequestHandler, and tables made with the SDK's own
// CreateTable, as a DynamoDB project's test set-up makes them.
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, ResourceNotFoundException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Pool } from "pg";
import { SingletableRequestHandler, SingletableRequestHandlerOptions } from "../src";

export const pool = new Pool({ max: 8 });

/** The only lines that differ from a DynamoDB application: where requests go. */
export function dynamoClient(target: SingletableRequestHandlerOptions): DynamoDBClient {
  return new DynamoDBClient({
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    requestHandler: new SingletableRequestHandler(target),
  });
}

export function documentClient(target: SingletableRequestHandlerOptions): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamoClient(target));
}

/** A fresh PK/SK table, with GSI1 (GSI1PK/GSI1SK) when asked. */
export async function freshTable(name: string, withGsi = false): Promise<void> {
  const client = dynamoClient({ pool });
  try {
    await client.send(new DeleteTableCommand({ TableName: name }));
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
  }
  const attrs = withGsi ? ["PK", "SK", "GSI1PK", "GSI1SK"] : ["PK", "SK"];
  await client.send(new CreateTableCommand({
    TableName: name,
    BillingMode: "PAY_PER_REQUEST",
    KeySchema: [{ AttributeName: "PK", KeyType: "HASH" }, { AttributeName: "SK", KeyType: "RANGE" }],
    AttributeDefinitions: attrs.map((AttributeName) => ({ AttributeName, AttributeType: "S" })),
    GlobalSecondaryIndexes: withGsi ? [{
      IndexName: "GSI1", Projection: { ProjectionType: "ALL" },
      KeySchema: [{ AttributeName: "GSI1PK", KeyType: "HASH" }, { AttributeName: "GSI1SK", KeyType: "RANGE" }],
    }] : undefined,
  }));
}

/** Waits until check() holds, polling; fails after timeoutMs. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
