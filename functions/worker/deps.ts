import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OutcomePublisher } from '../events/publisher';
import type { BrokerConfig } from '../shared/config';

/** Everything the worker's domain code needs; handlers build it once, tests build their own. */
export interface WorkerDeps {
  config: BrokerConfig;
  dynamo: DynamoDBDocumentClient;
  sqs: SQSClient;
  sageMaker: SageMakerClient;
  publisher: OutcomePublisher;
  /** Clock in epoch milliseconds. */
  now: () => number;
  /** Uniform random numbers in [0, 1), for backoff jitter. */
  random: () => number;
  newId: () => string;
}
