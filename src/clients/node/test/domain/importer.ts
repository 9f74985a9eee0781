// A bulk importer: BatchWriteItem in chunks of 25, sending UnprocessedItems
// again with backoff until none are left, as DynamoDB asks of every caller.
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

type WriteRequests = NonNullable<ConstructorParameters<typeof BatchWriteCommand>[0]["RequestItems"]>;

export async function importItems(doc: DynamoDBDocumentClient, table: string, items: Record<string, unknown>[]): Promise<number> {
  let calls = 0;
  for (let i = 0; i < items.length; i += 25) {
    let request: WriteRequests | undefined = {
      [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
    };
    for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      const out = await doc.send(new BatchWriteCommand({ RequestItems: request }));
      calls++;
      request = out.UnprocessedItems as WriteRequests | undefined;
    }
  }
  return calls;
}
