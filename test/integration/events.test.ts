import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBufferedPublisher, createEventBridgePublisher, EVENT_SOURCE, type OutcomeDetail } from '../../functions/events/publisher';
import { loadConfig } from '../../functions/shared/config';
import { startSageMakerSimulator, type SageMakerSimulator } from '../../infra/sagemaker-sim';

function detail(requestId: string): OutcomeDetail {
  return {
    requestId,
    state: 'CREATED',
    domainId: 'd-events',
    appType: 'KernelGateway',
    appName: 'k1',
    userProfileName: 'alice',
    instanceType: 'ml.t3.medium',
    appArn: `arn:aws:sagemaker:us-east-1:111122223333:app/d-events/alice/kernelgateway/${requestId}`,
    attempts: 1,
    createdAtEpochMs: 1_796_112_000_000,
    updatedAtEpochMs: 1_796_112_005_000,
  };
}

describe('EventBridge outcome publisher', () => {
  let simulator: SageMakerSimulator;
  let client: EventBridgeClient;
  const config = () =>
    loadConfig({ REQUESTS_TABLE_NAME: 'r', QUOTAS_TABLE_NAME: 'q', WORK_QUEUE_URL: 'http://queue', EVENT_BUS_NAME: 'broker-bus', EVENTBRIDGE_ENDPOINT: simulator.url });

  beforeAll(async () => {
    simulator = await startSageMakerSimulator();
    client = new EventBridgeClient({ region: 'us-east-1', endpoint: simulator.url, maxAttempts: 1 });
  });

  afterAll(async () => {
    client?.destroy();
    await simulator?.close();
  });

  beforeEach(() => simulator.reset());

  it('puts one entry per outcome on the broker bus', async () => {
    await createEventBridgePublisher(config(), client).publish([detail('r-1')]);
    const [event] = simulator.putEvents();
    expect(event?.Source).toBe(EVENT_SOURCE);
    expect(event?.DetailType).toBe('Studio App Request Created');
    expect(event?.EventBusName).toBe('broker-bus');
    expect(JSON.parse(event?.Detail ?? '{}')).toEqual(detail('r-1'));
  });

  it('sends at most ten entries per call', async () => {
    const details = Array.from({ length: 23 }, (_, index) => detail(`r-${index}`));
    await createEventBridgePublisher(config(), client).publish(details);
    expect(simulator.putEvents()).toHaveLength(23);
    expect(simulator.callCounts().PutEvents).toBe(3);
  });

  it('retries only the entries that failed', async () => {
    simulator.injectFault({ operation: 'PutEvents', kind: 'partialFailure', count: 2 });
    const details = Array.from({ length: 5 }, (_, index) => detail(`r-${index}`));
    await createEventBridgePublisher(config(), client).publish(details);

    const published = simulator.putEvents().map((event) => JSON.parse(event.Detail ?? '{}').requestId).sort();
    expect(published).toEqual(['r-0', 'r-1', 'r-2', 'r-3', 'r-4']);
    expect(simulator.callCounts().PutEvents).toBe(2);
  });

  it('gives up after three attempts without throwing', async () => {
    simulator.injectFault({ operation: 'PutEvents', kind: 'internal', count: 3 });
    await expect(createEventBridgePublisher(config(), client).publish([detail('r-lost')])).resolves.toBeUndefined();
    expect(simulator.putEvents()).toHaveLength(0);
    expect(simulator.callCounts().PutEvents).toBe(3);
  });

  it('sends a buffered batch in one call on flush', async () => {
    const buffered = createBufferedPublisher(createEventBridgePublisher(config(), client));
    await buffered.publish([detail('r-a')]);
    await buffered.publish([detail('r-b')]);
    await buffered.publish([detail('r-c')]);
    expect(simulator.callCounts().PutEvents ?? 0).toBe(0);

    await buffered.flush();
    expect(simulator.callCounts().PutEvents).toBe(1);
    expect(simulator.putEvents()).toHaveLength(3);

    await buffered.flush();
    expect(simulator.callCounts().PutEvents).toBe(1);
  });
});
