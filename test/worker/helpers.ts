import { randomUUID } from 'node:crypto';
import { DeleteMessageBatchCommand, PurgeQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { MiddlewareStack } from '@smithy/types';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { localLambdaContext } from '../../infra/local/lambda-context';
import type { WorkMessage } from '../../functions/queue/messages';
import type { BrokerRequest } from '../../functions/requests/model';
import { workMessageOf } from '../../functions/requests/message-of';
import { REQUEST_ID_TAG_KEY } from '../../functions/requests/schema';
import { getRequest } from '../../functions/requests/store';
import { submitRequest } from '../../functions/submit/submit-request';
import type { TestBroker } from '../support/broker';

export const CALLER_ARN = 'arn:aws:iam::111122223333:role/worker-test';

/** Builds a KernelGateway CreateApp input for a user profile, as callers send it. */
export function kernel(domainId: string, appName: string, instanceType = 'ml.t3.medium') {
  return { DomainId: domainId, UserProfileName: 'alice', AppType: 'KernelGateway', AppName: appName, ResourceSpec: { InstanceType: instanceType } };
}

/** Returns the simulator's identity key of a `kernel(...)` input, as `createAppCallsByIdentity` reports it. */
export function identityOf(domainId: string, appName: string): string {
  return `${domainId}/alice/KernelGateway/${appName}`;
}

export async function submit(broker: TestBroker, input: unknown): Promise<string> {
  const view = await submitRequest(broker.submitDeps, { input, callerArn: CALLER_ARN });
  return view.requestId;
}

export function readRequest(broker: TestBroker, requestId: string): Promise<BrokerRequest> {
  return getRequest(broker.workerDeps.dynamo, broker.stack.config.requestsTableName, requestId) as Promise<BrokerRequest>;
}

/** Builds the work message that carries the stored request's current token. */
export async function currentMessage(broker: TestBroker, requestId: string): Promise<WorkMessage> {
  return workMessageOf(await readRequest(broker, requestId));
}

type AnyClient = { middlewareStack: MiddlewareStack<any, any> };
let interceptors = 0;

/**
 * Wraps every call of one command of an SDK client (e.g. `SendMessageCommand`) before the SDK's
 * retries; `intercept` decides whether and when the real call runs. Returns a function that
 * removes the wrapper.
 */
export function interceptCommand(client: AnyClient, commandName: string, intercept: (input: any, call: () => Promise<any>) => Promise<any>): () => void {
  interceptors += 1;
  const name = `test-interceptor-${interceptors}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== commandName) return next(args);
      return intercept(args.input, () => next(args));
    },
    { step: 'initialize', name },
  );
  return () => {
    client.middlewareStack.remove(name);
  };
}

/** Records a deep copy of every input of one command; `stop` removes the recorder. */
export function captureInputs(client: AnyClient, commandName: string): { inputs: any[]; stop: () => void } {
  const inputs: any[] = [];
  const stop = interceptCommand(client, commandName, (input, call) => {
    inputs.push(structuredClone(input));
    return call();
  });
  return { inputs, stop };
}

/** Builds an SQS record as Lambda's event source mapping delivers it. */
export function sqsRecord(body: string, options: { receiveCount?: number; receiptHandle?: string; messageId?: string } = {}): SQSRecord {
  const nowEpochMs = String(Date.now());
  return {
    messageId: options.messageId ?? randomUUID(),
    receiptHandle: options.receiptHandle ?? randomUUID(),
    body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: nowEpochMs,
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: nowEpochMs,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:studio-app-broker-requests',
    awsRegion: 'us-east-1',
  };
}

export function invokeWorker(broker: TestBroker, records: SQSRecord[]): Promise<SQSBatchResponse> {
  return broker.workerHandler({ Records: records }, localLambdaContext('worker'));
}

export async function purgeWorkQueue(broker: TestBroker): Promise<void> {
  await broker.workerDeps.sqs.send(new PurgeQueueCommand({ QueueUrl: broker.stack.config.workQueueUrl }));
}

/**
 * Runs one step of the event source mapping: receives up to ten visible messages,
 * invokes the worker with them, and deletes those the response does not list.
 */
export async function deliverOnce(broker: TestBroker): Promise<{ records: SQSRecord[]; response?: SQSBatchResponse }> {
  const output = await broker.workerDeps.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: broker.stack.config.workQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }),
  );
  const records = (output.Messages ?? []).map((message) =>
    sqsRecord(message.Body ?? '', { messageId: message.MessageId, receiptHandle: message.ReceiptHandle, receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1) }),
  );
  if (records.length === 0) return { records };

  const response = await invokeWorker(broker, records);
  const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  const done = records.filter((record) => !failed.has(record.messageId));
  if (done.length > 0) {
    await broker.workerDeps.sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: broker.stack.config.workQueueUrl, Entries: done.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })) }),
    );
  }
  return { records, response };
}

interface InspectedMessage {
  body: string;
}

async function inspectQueue(broker: TestBroker, queueUrl: string): Promise<InspectedMessage[]> {
  const queueName = queueUrl.split('/').pop() ?? '';
  const response = await fetch(`${broker.stack.queues.endpoint}/_fauxqs/queues/${queueName}`);
  if (!response.ok) throw new Error(`Failed to inspect queue ${queueName}: HTTP ${response.status}`);
  const state = (await response.json()) as { messages: { ready: InspectedMessage[]; delayed: InspectedMessage[]; inflight: { message: InspectedMessage }[] } };
  return [...state.messages.ready, ...state.messages.delayed, ...state.messages.inflight.map((entry) => entry.message)];
}

/** Reads every message on the work queue (ready, delayed and in flight) without receiving it. */
export async function queuedWorkMessages(broker: TestBroker): Promise<WorkMessage[]> {
  return (await inspectQueue(broker, broker.stack.config.workQueueUrl)).map((message) => JSON.parse(message.body) as WorkMessage);
}

export async function deadLetterBodies(broker: TestBroker): Promise<string[]> {
  return (await inspectQueue(broker, broker.stack.config.deadLetterQueueUrl)).map((message) => message.body);
}

/** Live apps (Pending, InService, Deleting) per domain in the simulator. */
export function liveAppsByDomain(broker: TestBroker): Map<string, number> {
  const counts = new Map<string, number>();
  for (const app of broker.stack.simulator.listAppRecords()) {
    const isLive = app.Status === 'Pending' || app.Status === 'InService' || app.Status === 'Deleting';
    if (isLive) counts.set(app.DomainId, (counts.get(app.DomainId) ?? 0) + 1);
  }
  return counts;
}

/** Apps in the simulator per broker request id, read from the request-id tag. */
export function appsByRequestId(broker: TestBroker): Map<string, number> {
  const counts = new Map<string, number>();
  for (const app of broker.stack.simulator.listAppRecords()) {
    const requestId = app.Tags.find((tag) => tag.Key === REQUEST_ID_TAG_KEY)?.Value;
    if (requestId !== undefined) counts.set(requestId, (counts.get(requestId) ?? 0) + 1);
  }
  return counts;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
