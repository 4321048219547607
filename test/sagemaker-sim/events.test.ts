import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startSageMakerSimulator, type SageMakerSimulator } from '../../infra/sagemaker-sim';
import { caught, createClock, eventBridgeClient } from './helpers';

const clock = createClock();
let simulator: SageMakerSimulator;
let client: ReturnType<typeof eventBridgeClient>;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function entry(detail: object) {
  return { Source: 'studio-app-broker', DetailType: 'AppRequestAdmitted', Detail: JSON.stringify(detail), EventBusName: 'broker-bus' };
}

beforeAll(async () => {
  simulator = await startSageMakerSimulator({ now: clock.now });
  client = eventBridgeClient(simulator);
});

afterAll(async () => {
  client.destroy();
  await simulator.close();
});

beforeEach(() => {
  simulator.reset();
});

describe('PutEvents', () => {
  it('records entries sent by EventBridgeClient', async () => {
    const time = new Date(1_700_000_123_456);

    const output = await client.send(new PutEventsCommand({ Entries: [{ ...entry({ requestId: 'r-1' }), Time: time, Resources: ['arn:aws:sagemaker:us-east-1:111122223333:app/d-1/u/kernelgateway/k'] }] }));

    expect(output.FailedEntryCount).toBe(0);
    expect(output.Entries?.[0]?.EventId).toMatch(UUID_PATTERN);
    expect(simulator.putEvents()).toEqual([
      {
        EventId: output.Entries?.[0]?.EventId,
        Source: 'studio-app-broker',
        DetailType: 'AppRequestAdmitted',
        Detail: '{"requestId":"r-1"}',
        EventBusName: 'broker-bus',
        Time: 1_700_000_123.456,
        Resources: ['arn:aws:sagemaker:us-east-1:111122223333:app/d-1/u/kernelgateway/k'],
        recordedAtEpochMs: clock.now(),
      },
    ]);
    expect(simulator.callCounts()).toEqual({ PutEvents: 1 });
  });

  it('records the default bus when none is named', async () => {
    await client.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 't', Detail: '{}' }] }));

    expect(simulator.putEvents().map((event) => event.EventBusName)).toEqual(['default']);
  });

  it('fails entries with a partialFailure fault', async () => {
    simulator.injectFault({ operation: 'PutEvents', kind: 'partialFailure', count: 2 });
    const entries = [entry({ n: 1 }), entry({ n: 2 }), entry({ n: 3 })];

    const first = await client.send(new PutEventsCommand({ Entries: entries.slice(0, 1) }));
    const second = await client.send(new PutEventsCommand({ Entries: entries.slice(1) }));

    expect(first.FailedEntryCount).toBe(1);
    expect(first.Entries).toEqual([{ ErrorCode: 'InternalException', ErrorMessage: 'Internal Service error.' }]);
    expect(second.FailedEntryCount).toBe(1);
    expect(second.Entries?.[0]).toEqual({ ErrorCode: 'InternalException', ErrorMessage: 'Internal Service error.' });
    expect(second.Entries?.[1]?.EventId).toMatch(UUID_PATTERN);
    expect(simulator.putEvents().map((event) => event.Detail)).toEqual(['{"n":3}']);
  });

  it('fails an entry without Detail', async () => {
    const output = await client.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 't' }, entry({ n: 1 })] }));

    expect(output.FailedEntryCount).toBe(1);
    expect(output.Entries?.[0]).toEqual({ ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.' });
    expect(simulator.putEvents()).toHaveLength(1);
  });

  it('fails an entry with malformed Detail', async () => {
    const output = await client.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 't', Detail: 'not json' }] }));

    expect(output.Entries).toEqual([{ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' }]);
  });

  it('rejects more than 10 entries', async () => {
    const entries = Array.from({ length: 11 }, (_, index) => entry({ n: index }));

    const error = await caught(() => client.send(new PutEventsCommand({ Entries: entries })));

    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/^1 validation error detected: Value '.*' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10$/);
  });

  it('applies a throttle fault', async () => {
    simulator.injectFault({ operation: 'PutEvents', kind: 'throttle', count: 1 });

    const error = await caught(() => client.send(new PutEventsCommand({ Entries: [entry({})] })));

    expect(error.name).toBe('ThrottlingException');
    expect(simulator.putEvents()).toEqual([]);
  });
});
