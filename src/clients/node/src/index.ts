// singletable-dynamodb: unchanged AWS SDK v3 DynamoDB code on PostgreSQL.
//   SingletableRequestHandler  the DynamoDBClient's requestHandler, over a pg Pool or Client
//   consumeStream              the change stream to a Lambda-style DynamoDB Streams handler
export { SingletableRequestHandler } from "./request-handler";
export type { Queryable, SingletableRequestHandlerOptions } from "./request-handler";
export { consumeStream, BatchItemFailureError } from "./stream";
export type { ConsumeStreamOptions, StreamConsumer, StreamContext, StreamHandler } from "./stream";
