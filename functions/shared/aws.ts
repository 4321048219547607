import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BrokerConfig } from './config';
import { tracer } from './observability';

/**
 * AWS clients shared by the functions. Endpoint overrides come from the configuration so the
 * same code talks to DynamoDB Local and the SQS emulator; in AWS they are unset.
 */
export function createDynamoDocumentClient(config: BrokerConfig): DynamoDBDocumentClient {
  const client = tracer.captureAWSv3Client(new DynamoDBClient({ region: config.region, endpoint: config.endpoints.dynamodb }));
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function createSqsClient(config: BrokerConfig): SQSClient {
  return tracer.captureAWSv3Client(new SQSClient({ region: config.region, endpoint: config.endpoints.sqs }));
}
