import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createEventBridgePublisher } from '../functions/events/publisher';
import { createDynamoDocumentClient } from '../functions/shared/aws';
import { createSubmitHandler } from '../functions/submit/handler';
import { buildHttpApiEvent } from '../infra/local/http-event';
import { localLambdaContext } from '../infra/local/lambda-context';
import { startTestBroker, type TestBroker, type TestBrokerOptions } from '../test/support/broker';
import { RequestCounter } from './request-counter';

export interface SubmitOutcome {
  statusCode: number;
  requestId?: string;
  latencyMs: number;
}

/** The local broker with every AWS client of the submit and worker functions counted. */
export interface InstrumentedBroker {
  broker: TestBroker;
  counter: RequestCounter;
  /** A DynamoDB client the benchmark reads and seeds with; its requests are not counted. */
  benchDynamo: DynamoDBDocumentClient;
  /** Invokes the submit handler with a POST /apps event, as API Gateway would. */
  submit(input: unknown): Promise<SubmitOutcome>;
  stop(): Promise<void>;
}

/**
 * Starts the local stack and the broker's handlers, and counts the requests of the submit
 * function (labelled `submit/…`) and of the worker function and its SQS pollers (`worker/…`).
 * The harness builds its EventBridge client inside the publisher, so the worker's publisher is
 * replaced by one around a counted client with the same configuration.
 */
export async function startInstrumentedBroker(options: TestBrokerOptions): Promise<InstrumentedBroker> {
  const broker = await startTestBroker(options);
  const counter = new RequestCounter();
  const { config } = broker.workerDeps;

  counter.instrument(broker.submitDeps.dynamo, 'submit/DynamoDB');
  counter.instrument(broker.submitDeps.sqs, 'submit/SQS');
  counter.instrument(broker.workerDeps.dynamo, 'worker/DynamoDB');
  counter.instrument(broker.workerDeps.sqs, 'worker/SQS');
  counter.instrument(broker.workerDeps.sageMaker, 'worker/SageMaker');
  const eventBridge = new EventBridgeClient({ region: config.region, endpoint: config.endpoints.eventbridge });
  counter.instrument(eventBridge, 'worker/EventBridge');
  broker.workerDeps.publisher = createEventBridgePublisher(config, eventBridge);

  const submitHandler = createSubmitHandler(broker.submitDeps);
  const benchDynamo = createDynamoDocumentClient(config);

  async function submit(input: unknown): Promise<SubmitOutcome> {
    const event = buildHttpApiEvent({ method: 'POST', path: '/apps', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
    const startedAtMs = performance.now();
    const result = await submitHandler(event, localLambdaContext('submit'));
    const latencyMs = performance.now() - startedAtMs;
    const statusCode = result.statusCode ?? 0;
    const requestId = statusCode === 202 ? (JSON.parse(result.body ?? '{}').requestId as string) : undefined;
    return { statusCode, requestId, latencyMs };
  }

  return {
    broker,
    counter,
    benchDynamo,
    submit,
    async stop() {
      eventBridge.destroy();
      benchDynamo.destroy();
      await broker.stop();
    },
  };
}
