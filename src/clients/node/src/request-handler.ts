// SingletableRequestHandler: the AWS SDK v3 DynamoDBClient's HTTP handler,
// replaced by one SQL call.  The SDK serialises a command to DynamoDB's JSON
// body with its operation in the x-amz-target header; this handler passes
// both to singletable.execute(..., raise_errors => false) over a pg pool or
// a checked-out client and hands the answer back as an HTTP response (200,
// or 400/500 with DynamoDB's error body), so the SDK's own deserialisers,
// DocumentClient marshalling and exception classes
// (ConditionalCheckFailedException, TransactionCanceledException with
// CancellationReasons ...) work as against DynamoDB.
//
// What this file leaves to others: the semantics of every operation and the
// error bodies are the extension's (execute); signing, retries and
// marshalling stay the SDK's.
import type {
  HttpHandlerOptions,
  HttpRequest,
  HttpResponse,
  RequestHandler,
  RequestHandlerMetadata,
} from "@smithy/types";
import { randomUUID } from "node:crypto";
import type { QueryResult } from "pg";

/** What the handler sends its SQL through: a pg Pool, Client or PoolClient. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<QueryResult>;
}

export interface SingletableRequestHandlerOptions {
  /** A pg Pool: each request takes a connection of its own for one statement. */
  pool?: Queryable;
  /**
   * A pg Client or a checked-out PoolClient: every request runs on it, so
   * requests made between your BEGIN and COMMIT join that transaction.
   */
  client?: Queryable;
}

const EXECUTE_SQL =
  "SELECT r::text AS body, r->>'__type' AS type " +
  "FROM singletable.execute($1, $2::jsonb, raise_errors => false) AS r";

/**
 * A string holding U+0000 (the JSON escape \u0000, its backslash not itself
 * escaped): PostgreSQL's jsonb cannot hold it and its input refuses it
 * (22P05) before execute() runs, which would abort the caller's transaction.
 * The request is answered here instead, as DynamoDB answers a value it
 * refuses (README, "Limits").
 */
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/;
const NUL_TYPE = "com.amazon.coral.validate#ValidationException";
const NUL_ANSWER = {
  body: JSON.stringify({
    __type: NUL_TYPE,
    message: "One or more parameter values were invalid: " +
      "A string value holds the character U+0000, which singletable cannot store",
  }),
  type: NUL_TYPE,
};

/** DynamoDB errors that are the service's fault are answered with 500, as DynamoDB does. */
const SERVER_FAULTS = new Set(["InternalServerError", "InternalFailure", "ServiceUnavailable"]);

/**
 * What execute() raises even with raise_errors => false (the statement's
 * transaction cannot go on), as DynamoDB would answer it; any other SQLSTATE
 * is an InternalServerError.
 */
const RAISED_TYPES: Record<string, string> = {
  "40001": "TransactionConflictException", // serialization_failure
  "40P01": "TransactionConflictException", // deadlock_detected
  "57014": "RequestLimitExceeded",         // query_canceled (statement_timeout)
  "55P03": "RequestLimitExceeded",         // lock_not_available (lock_timeout)
};

/** A Postgres error (pg's DatabaseError, from whichever copy of pg made the pool). */
function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown; severity?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && (err as { severity?: unknown }).severity !== undefined
    ? code : undefined;
}

function header(headers: Record<string, string>, name: string): string | undefined {
  for (const key of Object.keys(headers))
    if (key.toLowerCase() === name) return headers[key];
  return undefined;
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null || body === "") return "{}";
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  throw new TypeError("SingletableRequestHandler: the request body must be a string or a Uint8Array");
}

function abortError(signal: { reason?: unknown }): Error {
  if (signal.reason instanceof Error) return signal.reason;
  const err = new Error("Request aborted");
  err.name = "AbortError";
  return err;
}

/**
 * The smithy HttpHandler of a DynamoDBClient that talks to PostgreSQL:
 *
 *     new DynamoDBClient({ requestHandler: new SingletableRequestHandler({ pool }) })
 *
 * DynamoDB-level errors come back as DynamoDB's error bodies.  An error that
 * ends the statement's transaction (a serialization failure, a lock or
 * statement timeout, anything unexpected) is, with a pool, answered as
 * DynamoDB would (TransactionConflictException, RequestLimitExceeded,
 * InternalServerError with status 500), so the SDK's retries and the
 * application's handlers work as against DynamoDB.  With a client the error
 * has aborted the caller's own transaction, which only the caller can roll
 * back and retry: the SDK call rejects with pg's error, untouched.  So does
 * a broken connection, in both cases.
 */
export class SingletableRequestHandler
  implements RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions>
{
  readonly metadata: RequestHandlerMetadata = { handlerProtocol: "postgresql" };
  private readonly db: Queryable;
  private readonly inCallersTransaction: boolean;

  constructor(options: SingletableRequestHandlerOptions) {
    const given = [options?.pool, options?.client].filter((q) => q !== undefined);
    if (given.length !== 1 || typeof given[0]?.query !== "function")
      throw new TypeError("SingletableRequestHandler needs exactly one of { pool } or { client }, a pg Pool or Client");
    this.db = given[0] as Queryable;
    this.inCallersTransaction = options.client !== undefined;
  }

  /** The response body and its DynamoDB error type (null on success). */
  private async execute(target: string, body: string): Promise<{ body: string; type: string | null }> {
    if (body.includes("\\u0000") && NUL_ESCAPE.test(body)) return NUL_ANSWER;
    try {
      const res = await this.db.query(EXECUTE_SQL, [target, body]);
      return res.rows[0] as { body: string; type: string | null };
    } catch (err) {
      const code = sqlState(err);
      if (code === undefined || this.inCallersTransaction) throw err;
      const name = RAISED_TYPES[code] ?? "InternalServerError";
      const type = `com.amazonaws.dynamodb.v20120810#${name}`;
      return { body: JSON.stringify({ __type: type, message: `${(err as Error).message} (SQLSTATE ${code})` }), type };
    }
  }

  async handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const signal = options.abortSignal as { aborted?: boolean; reason?: unknown } | undefined;
    if (signal?.aborted) throw abortError(signal);
    const target = header(request.headers, "x-amz-target");
    if (!target)
      throw new TypeError("SingletableRequestHandler: the request has no x-amz-target header (is this a DynamoDB client?)");

    const { body, type } = await this.execute(target, bodyText(request.body));
    const name = type ? type.slice(type.lastIndexOf("#") + 1) : null;
    const statusCode = name === null ? 200 : SERVER_FAULTS.has(name) ? 500 : 400;
    const headers: Record<string, string> = {
      "content-type": "application/x-amz-json-1.0",
      "content-length": String(Buffer.byteLength(body)),
      "x-amzn-requestid": randomUUID(),
    };
    return { response: { statusCode, headers, body: Buffer.from(body, "utf8") } };
  }

  updateHttpClientConfig(): void {
    // nothing to configure: there is no HTTP client
  }

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {
    // the pool or client is the caller's: they end it
  }
}
