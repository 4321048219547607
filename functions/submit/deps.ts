import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { OutcomePublisher } from '../events/publisher';
import type { BrokerConfig } from '../shared/config';

/** Dependencies of the submit function's domain code; it never loads the SageMaker client. */
export interface SubmitDeps {
  config: BrokerConfig;
  dynamo: DynamoDBDocumentClient;
  sqs: SQSClient;
  now: () => number;
  newId: () => string;
  /** Publishes the CANCELLED outcome event; created from the configuration when absent. */
  publisher?: OutcomePublisher;
  /**
   * Store of idempotency records; when absent, a DynamoDB store on IDEMPOTENCY_TABLE_NAME is
   * created, and without that table name submissions with a key are rejected.
   */
  idempotencyStore?: BasePersistenceLayer;
}
