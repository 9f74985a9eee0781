// A thin layer over pg: every call is one SQL function of singletable, with
// items as plain JSON (jsonb parameters and results).  Connection settings
// come from the usual PGHOST, PGPORT, PGUSER and PGDATABASE.
import { Pool, DatabaseError } from "pg";

export type Item = Record<string, unknown>;
export type Key = Record<string, string | number>;

export interface Page<T = Item> {
  Items: T[];
  Count: number;
  ScannedCount: number;
  LastEvaluatedKey?: Key;
}

export interface QueryOptions {
  names?: Record<string, string>;
  values?: Record<string, unknown>;
  index?: string;
  filter?: string;
  projection?: string;
  limit?: number;
  forward?: boolean;
  startKey?: Key;
}

export class SingleTable {
  constructor(readonly pool: Pool, readonly table: string) {}

  private async one<T>(sql: string, params: unknown[]): Promise<T> {
    const res = await this.pool.query(sql, params);
    return res.rows[0]?.r as T;
  }

  putItem(item: Item, condition?: string, names?: object, values?: object): Promise<void> {
    return this.one(
      "SELECT singletable.put_item($1, $2, condition => $3, names => $4, \"values\" => $5) AS r",
      [this.table, item, condition ?? null, names ?? null, values ?? null]);
  }

  getItem<T = Item>(key: Key, projection?: string, names?: Record<string, string>): Promise<T | null> {
    return this.one("SELECT singletable.get_item($1, $2, projection => $3, names => $4) AS r",
      [this.table, key, projection ?? null, names ?? null]);
  }

  updateItem<T = Item>(key: Key, update: string, opts: { condition?: string; names?: object; values?: object; returnValues?: string } = {}): Promise<T | null> {
    return this.one(
      "SELECT singletable.update_item($1, $2, update => $3, condition => $4, names => $5, \"values\" => $6, return_values => $7) AS r",
      [this.table, key, update, opts.condition ?? null, opts.names ?? null, opts.values ?? null, opts.returnValues ?? "NONE"]);
  }

  deleteItem<T = Item>(key: Key, returnValues = "NONE"): Promise<T | null> {
    return this.one("SELECT singletable.delete_item($1, $2, return_values => $3) AS r",
      [this.table, key, returnValues]);
  }

  query<T = Item>(keyCondition: string, o: QueryOptions = {}): Promise<Page<T>> {
    return this.one(
      `SELECT singletable.query($1, $2, names => $3, "values" => $4, index => $5, filter => $6,
              projection => $7, "limit" => $8, forward => $9, start_key => $10) AS r`,
      [this.table, keyCondition, o.names ?? null, o.values ?? null, o.index ?? null, o.filter ?? null,
       o.projection ?? null, o.limit ?? null, o.forward ?? true, o.startKey ?? null]);
  }

  batchGet<T = Item>(keys: Key[]): Promise<T[]> {
    return this.one<{ Responses: Record<string, T[]> }>("SELECT singletable.batch_get($1) AS r",
      [{ [this.table]: { Keys: keys } }]).then((r) => r.Responses[this.table]);
  }

  batchWrite(puts: Item[], deletes: Key[] = []): Promise<void> {
    const requests = [
      ...puts.map((Item) => ({ PutRequest: { Item } })),
      ...deletes.map((Key) => ({ DeleteRequest: { Key } })),
    ];
    return this.one("SELECT singletable.batch_write($1) AS r", [{ [this.table]: requests }]);
  }

  transactWrite(actions: object[]): Promise<void> {
    return this.one("SELECT singletable.transact_write($1) AS r", [JSON.stringify(actions)]);
  }

  /** DynamoDB's wire shape, typed attribute values, as an SDK sends it. */
  execute<T = any>(operation: string, request: object): Promise<T> {
    return this.one("SELECT singletable.execute($1, $2) AS r", [operation, request]);
  }
}

/** A cancelled transaction's reasons, parsed from the error's DETAIL. */
export interface CancellationReason {
  Code: string;
  Message?: string;
  Item?: Item;
}

export function cancellationReasons(err: unknown): CancellationReason[] | null {
  if (!(err instanceof DatabaseError) || err.code !== "ST002" || !err.detail) return null;
  const json = err.detail.slice(err.detail.indexOf(": ") + 2);
  return JSON.parse(json).CancellationReasons;
}

/** The DynamoDB error type named in an error (ConditionalCheckFailedException ...). */
export function dynamoErrorType(err: unknown): string | null {
  if (!(err instanceof DatabaseError)) return null;
  const m = /^([A-Za-z]+Exception)/.exec(err.detail ?? "");
  return m ? m[1] : null;
}
