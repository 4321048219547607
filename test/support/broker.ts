import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { createEventBridgePublisher } from '../../functions/events/publisher';
import { createSageMakerClient } from '../../functions/sagemaker/apps';
import { createDynamoDocumentClient, createSqsClient } from '../../functions/shared/aws';
import { loadConfig } from '../../functions/shared/config';
import type { SubmitDeps } from '../../functions/submit/deps';
import { createSubmitHandler } from '../../functions/submit/handler';
import type { WorkerDeps } from '../../functions/worker/deps';
import { createWorkerHandler } from '../../functions/worker/handler';
import { startHttpAdapter, type HttpAdapter } from '../../infra/local/http-adapter';
import { startSqsEventSource, type SqsEventSource } from '../../infra/local/sqs-event-source';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../infra/local/stack';

export interface TestBroker {
  stack: LocalStack;
  http: HttpAdapter;
  submitDeps: SubmitDeps;
  workerDeps: WorkerDeps;
  workerHandler: ReturnType<typeof createWorkerHandler>;
  /** Starts `count` concurrent SQS pollers invoking the worker handler. */
  startWorkers(count?: number, batchSize?: number): SqsEventSource;
  stop(): Promise<void>;
}

export interface TestBrokerOptions extends LocalStackOptions {
  now?: () => number;
  random?: () => number;
}

/** Starts the local engines and the broker's handlers wired to them, as one test fixture. */
export async function startTestBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const stack = await startLocalStack(options);
  const config = loadConfig(stack.env);
  const now = options.now ?? Date.now;
  const submitDeps: SubmitDeps = { config, dynamo: createDynamoDocumentClient(config), sqs: createSqsClient(config), now, newId: randomUUID };
  const workerDeps: WorkerDeps = {
    config,
    dynamo: createDynamoDocumentClient(config),
    sqs: createSqsClient(config),
    sageMaker: createSageMakerClient(config),
    publisher: createEventBridgePublisher(config),
    now,
    random: options.random ?? Math.random,
    newId: randomUUID,
  };
  const workerHandler = createWorkerHandler(workerDeps);
  const http = await startHttpAdapter(createSubmitHandler(submitDeps));
  const queueArn = await workQueueArn(stack);
  const sources: SqsEventSource[] = [];

  return {
    stack,
    http,
    submitDeps,
    workerDeps,
    workerHandler,
    startWorkers(count = 1, batchSize = 10) {
      const source = startSqsEventSource({
        sqs: workerDeps.sqs,
        queueUrl: config.workQueueUrl,
        queueArn,
        functionName: 'worker',
        handler: workerHandler,
        batchSize,
        concurrency: count,
        waitTimeSeconds: 1,
      });
      sources.push(source);
      return source;
    },
    async stop() {
      await Promise.all(sources.map((source) => source.stop()));
      await http.close();
      await stack.stop();
    },
  };
}

async function workQueueArn(stack: LocalStack): Promise<string> {
  const sqs = createSqsClient(stack.config);
  const output = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: stack.config.workQueueUrl, AttributeNames: ['QueueArn'] }));
  return output.Attributes?.QueueArn ?? 'arn:aws:sqs:us-east-1:000000000000:studio-app-broker-requests';
}

/** Polls `read` until `done` holds for its value, or fails after `timeoutMs`. */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const startedAtEpochMs = Date.now();
  let value = await read();
  while (!done(value)) {
    if (Date.now() - startedAtEpochMs > timeoutMs) throw new Error(`Condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    value = await read();
  }
  return value;
}

function serializeBody(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  if (typeof body === 'string') return body;
  return JSON.stringify(body);
}

export async function httpJson(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: serializeBody(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}
