import { startSageMakerSimulator, type SageMakerSimulator, type SimulatorOptions } from '../sagemaker-sim';
import { loadConfig, type BrokerConfig } from '../../functions/shared/config';
import { createBrokerTables, LOCAL_CREDENTIALS, startDynamoDbLocal, type LocalDynamoDb } from './dynamodb-local';
import { startLocalQueues, type LocalQueueOptions, type LocalQueues } from './sqs-local';

export interface LocalStackOptions {
  dynamoDbPort?: number;
  sqsPort?: number;
  simulator?: SimulatorOptions;
  queues?: LocalQueueOptions;
  /** Extra broker environment variables (MAX_ATTEMPTS, RETRY_BASE_SECONDS, ...). */
  env?: Record<string, string>;
}

export interface LocalStack {
  dynamoDb: LocalDynamoDb;
  queues: LocalQueues;
  simulator: SageMakerSimulator;
  /** Environment for the broker's functions, pointing at the local engines. */
  env: Record<string, string>;
  config: BrokerConfig;
  stop(): Promise<void>;
}

/**
 * Starts the broker's engines on free loopback ports: DynamoDB Local with the broker's tables,
 * the fauxqs SQS emulator with the work queue and its dead-letter queue, and the SageMaker
 * simulator, which also records EventBridge PutEvents calls.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const [dynamoDb, queues, simulator] = await Promise.all([
    startDynamoDbLocal(options.dynamoDbPort),
    startLocalQueues({ port: options.sqsPort, ...options.queues }),
    startSageMakerSimulator(options.simulator),
  ]);

  const env: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    REQUESTS_TABLE_NAME: 'studio-app-broker-local-requests',
    QUOTAS_TABLE_NAME: 'studio-app-broker-local-quotas',
    IDEMPOTENCY_TABLE_NAME: 'studio-app-broker-local-idempotency',
    WORK_QUEUE_URL: queues.workQueueUrl,
    DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
    EVENT_BUS_NAME: 'studio-app-broker-local',
    DYNAMODB_ENDPOINT: dynamoDb.endpoint,
    SQS_ENDPOINT: queues.endpoint,
    SAGEMAKER_ENDPOINT: simulator.url,
    EVENTBRIDGE_ENDPOINT: simulator.url,
    ...options.env,
  };
  const config = loadConfig(env);
  await createBrokerTables(dynamoDb.endpoint, config);

  return {
    dynamoDb,
    queues,
    simulator,
    env,
    config,
    async stop() {
      await Promise.allSettled([simulator.close(), queues.stop(), dynamoDb.stop()]);
    },
  };
}
