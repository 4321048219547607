import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeadLetterHandler } from '../../functions/dead-letter/handler';
import { submitRequest } from '../../functions/submit/submit-request';
import { startSqsEventSource } from '../../infra/local/sqs-event-source';
import { startTestBroker, waitFor, type TestBroker } from '../support/broker';

const input = { DomainId: 'd-window', UserProfileName: 'alice', AppType: 'KernelGateway', AppName: 'k1', ResourceSpec: { InstanceType: 'ml.t3.medium' } };

/** Makes the next `count` calls of `commandName` on the client fail as if the process had died. */
function failNext(client: { middlewareStack: { add: Function } }, commandName: string, count: number): void {
  let remaining = count;
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      if (context.commandName === commandName && remaining > 0) {
        remaining -= 1;
        throw new Error(`${commandName} failed: process stopped`);
      }
      return next(args);
    },
    { step: 'initialize', name: `fail-${commandName}-${Math.random()}` },
  );
}

describe('submit crash window', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker({ queues: { visibilityTimeoutSeconds: 2, maxReceiveCount: 2 } });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  const storedRequests = async () =>
    (await broker.submitDeps.dynamo.send(new ScanCommand({ TableName: broker.stack.config.requestsTableName }))).Items ?? [];
  const queueDepth = async (queueUrl: string) => {
    const output = await broker.submitDeps.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
    );
    const attributes = output.Attributes ?? {};
    return Number(attributes.ApproximateNumberOfMessages ?? 0) + Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0);
  };

  it('stores nothing when the message cannot be sent', async () => {
    failNext(broker.submitDeps.sqs, 'SendMessageCommand', 1);
    await expect(submitRequest(broker.submitDeps, { input, callerArn: 'arn:aws:iam::111122223333:role/test' })).rejects.toThrow('SendMessageCommand failed');
    expect(await storedRequests()).toHaveLength(0);
    expect(await queueDepth(broker.stack.config.workQueueUrl)).toBe(0);
  });

  it('leaves no QUEUED request without a message when the store fails', async () => {
    failNext(broker.submitDeps.dynamo, 'PutItemCommand', 1);
    await expect(submitRequest(broker.submitDeps, { input, callerArn: 'arn:aws:iam::111122223333:role/test' })).rejects.toThrow('PutItemCommand failed');
    expect(await storedRequests()).toHaveLength(0);
    expect(await queueDepth(broker.stack.config.workQueueUrl)).toBe(1);
  });

  it('lets the orphaned message reach the dead-letter queue harmlessly', async () => {
    const workers = broker.startWorkers(1);
    const deadLetters = startSqsEventSource({
      sqs: broker.workerDeps.sqs,
      queueUrl: broker.stack.config.deadLetterQueueUrl,
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:studio-app-broker-dlq',
      functionName: 'deadLetter',
      handler: createDeadLetterHandler(broker.workerDeps),
    });
    try {
      await waitFor(() => queueDepth(broker.stack.config.workQueueUrl), (depth) => depth === 0, 30_000, 250);
      await waitFor(() => Promise.resolve(deadLetters.stats.records), (records) => records >= 1, 30_000, 250);
    } finally {
      await workers.stop();
      await deadLetters.stop();
    }
    expect(deadLetters.stats.failedRecords).toBe(0);
    expect(await storedRequests()).toHaveLength(0);
    expect(broker.stack.simulator.callCounts().CreateApp ?? 0).toBe(0);
  });
});
