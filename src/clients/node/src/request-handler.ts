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

/** DynamoDB errors that are the service's fault are answered with 500, as DynamoDB does. */
const SERVER_FAULTS = new Set(["InternalServerError", "InternalFailure", "ServiceUnavailable"]);

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
 * A Postgres error that is not a DynamoDB error (the connection broke, the
 * transaction is already aborted, the extension is not installed) rejects
 * the SDK call with pg's own error, as a network error would.
 */
export class SingletableRequestHandler
  implements RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions>
{
  readonly metadata: RequestHandlerMetadata = { handlerProtocol: "postgresql" };
  private readonly db: Queryable;

  constructor(options: SingletableRequestHandlerOptions) {
    const given = [options?.pool, options?.client].filter((q) => q !== undefined);
    if (given.length !== 1 || typeof given[0]?.query !== "function")
      throw new TypeError("SingletableRequestHandler needs exactly one of { pool } or { client }, a pg Pool or Client");
    this.db = given[0] as Queryable;
  }

  async handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const signal = options.abortSignal as { aborted?: boolean; reason?: unknown } | undefined;
    if (signal?.aborted) throw abortError(signal);
    const target = header(request.headers, "x-amz-target");
    if (!target)
      throw new TypeError("SingletableRequestHandler: the request has no x-amz-target header (is this a DynamoDB client?)");

    const res = await this.db.query(EXECUTE_SQL, [target, bodyText(request.body)]);
    const { body, type } = res.rows[0] as { body: string; type: string | null };
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
