// The account-balance projection: a DynamoDB Streams Lambda handler fed by
// the event store's table.  Each MoneyDeposited / MoneyWithdrawn event moves
// the account's balance item in the read-model table.
import type { DynamoDBStreamEvent } from "aws-lambda";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";

export function balanceProjection(doc: DynamoDBDocumentClient, readModel: string) {
  return async (event: DynamoDBStreamEvent): Promise<void> => {
    for (const record of event.Records) {
      if (record.eventName !== "INSERT" || !record.dynamodb?.NewImage) continue;
      const e = unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>);
      if (!String(e.SK).startsWith("EVENT#")) continue;
      const amount = e.eventType === "MoneyDeposited" ? e.eventData.amount
        : e.eventType === "MoneyWithdrawn" ? -e.eventData.amount : 0;
      if (amount === 0) continue;
      await doc.send(new UpdateCommand({
        TableName: readModel, Key: { PK: e.PK, SK: "BALANCE" },
        UpdateExpression: "ADD balance :amount SET updatedAt = :timestamp",
        ExpressionAttributeValues: { ":amount": amount, ":timestamp": e.timestamp },
      }));
    }
  };
}
