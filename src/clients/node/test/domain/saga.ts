// An order saga orchestrator: one SAGA#<id> item holds the step the saga is
// at; each step moves it on with a conditional update, so a step that was
// already taken (a retried message, a second worker) fails on its condition
// and changes nothing.  A failed step compensates the ones done, in reverse.
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";

export const STEPS = ["RESERVE_STOCK", "CHARGE_PAYMENT", "SHIP"] as const;
export type Step = (typeof STEPS)[number] | "DONE";

export class StepAlreadyTaken extends Error {
  constructor(readonly sagaId: string, readonly current: Record<string, unknown> | undefined) {
    super(`saga ${sagaId} has moved on`);
  }
}

export class SagaOrchestrator {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly table: string) {}

  async start(sagaId: string, orderId: string): Promise<void> {
    await this.doc.send(new PutCommand({
      TableName: this.table,
      Item: { PK: `SAGA#${sagaId}`, SK: "STATE", orderId, step: STEPS[0], status: "RUNNING", history: [] },
      ConditionExpression: "attribute_not_exists(PK)",
    }));
  }

  /** Record that `step` is done and move to the next one, only if the saga is at `step`. */
  async complete(sagaId: string, step: Step): Promise<Step> {
    const next: Step = (STEPS as readonly Step[])[STEPS.indexOf(step as (typeof STEPS)[number]) + 1] ?? "DONE";
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.table, Key: { PK: `SAGA#${sagaId}`, SK: "STATE" },
        UpdateExpression: "SET step = :next, #st = :status, history = list_append(history, :done)",
        ConditionExpression: "step = :step AND #st = :running",
        ExpressionAttributeNames: { "#st": "status" },
        ExpressionAttributeValues: { ":next": next, ":step": step, ":running": "RUNNING",
                                     ":status": next === "DONE" ? "COMPLETED" : "RUNNING", ":done": [step] },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }));
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new StepAlreadyTaken(sagaId, err.Item);
      throw err;
    }
    return next;
  }

  /** A step failed: compensate what was done, newest first. */
  async fail(sagaId: string, step: Step, reason: string): Promise<string[]> {
    const { Attributes } = await this.doc.send(new UpdateCommand({
      TableName: this.table, Key: { PK: `SAGA#${sagaId}`, SK: "STATE" },
      UpdateExpression: "SET #st = :compensating, failure = :reason",
      ConditionExpression: "step = :step AND #st = :running",
      ExpressionAttributeNames: { "#st": "status" },
      ExpressionAttributeValues: { ":compensating": "COMPENSATING", ":reason": reason, ":step": step, ":running": "RUNNING" },
      ReturnValues: "ALL_NEW",
    }));
    const undo = [...(Attributes?.history as string[])].reverse().map((s) => `UNDO_${s}`);
    await this.doc.send(new UpdateCommand({
      TableName: this.table, Key: { PK: `SAGA#${sagaId}`, SK: "STATE" },
      UpdateExpression: "SET #st = :failed, compensations = :undo",
      ConditionExpression: "#st = :compensating",
      ExpressionAttributeNames: { "#st": "status" },
      ExpressionAttributeValues: { ":failed": "FAILED", ":undo": undo, ":compensating": "COMPENSATING" },
    }));
    return undo;
  }

  async state(sagaId: string) {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.table, Key: { PK: `SAGA#${sagaId}`, SK: "STATE" } }));
    return Item;
  }
}
