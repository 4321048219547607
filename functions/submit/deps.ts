import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BrokerConfig } from '../shared/config';

/** What the submit function's domain code needs; it never loads the SageMaker client. */
export interface SubmitDeps {
  config: BrokerConfig;
  dynamo: DynamoDBDocumentClient;
  sqs: SQSClient;
  now: () => number;
  newId: () => string;
}
