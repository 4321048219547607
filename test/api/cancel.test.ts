import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerApiError } from '../../functions/client';
import type { RequestState } from '../../functions/requests/model';
import { startTestBroker, type TestBroker } from '../support/broker';
import { clientFor, kernelGatewayRequest, newCallerArn } from './helpers';

describe('DELETE /requests/{requestId}', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker({ simulator: { startupDelayMs: 50 } });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  async function setState(requestId: string, state: RequestState): Promise<void> {
    await broker.submitDeps.dynamo.send(
      new UpdateCommand({
        TableName: broker.stack.config.requestsTableName,
        Key: { requestId },
        UpdateExpression: 'SET #state = :state',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':state': state },
      }),
    );
  }

  function cancelledEvents(requestId: string) {
    return broker.stack.simulator
      .putEvents()
      .filter((event) => event.DetailType === 'Studio App Request Cancelled')
      .map((event) => JSON.parse(event.Detail ?? '{}'))
      .filter((detail) => detail.requestId === requestId);
  }

  it('publishes a CANCELLED outcome event', async () => {
    const client = clientFor(broker, newCallerArn());
    const input = kernelGatewayRequest();
    const accepted = await client.submit(input);
    await setState(accepted.requestId, 'WAITING');

    await client.cancel(accepted.requestId);

    const [detail] = cancelledEvents(accepted.requestId);
    expect(detail).toMatchObject({ requestId: accepted.requestId, state: 'CANCELLED', domainId: input.DomainId, appName: input.AppName, appType: 'KernelGateway' });
  });

  it('cancels a RETRYING request', async () => {
    const client = clientFor(broker, newCallerArn());
    const accepted = await client.submit(kernelGatewayRequest());
    await setState(accepted.requestId, 'RETRYING');

    expect((await client.cancel(accepted.requestId)).state).toBe('CANCELLED');
  });

  it('returns a cancelled request unchanged on a second cancel', async () => {
    const client = clientFor(broker, newCallerArn());
    const accepted = await client.submit(kernelGatewayRequest());
    const first = await client.cancel(accepted.requestId);

    const second = await client.cancel(accepted.requestId);

    expect(second.state).toBe('CANCELLED');
    expect(second.updatedAtEpochMs).toBe(first.updatedAtEpochMs);
    expect(cancelledEvents(accepted.requestId)).toHaveLength(1);
  });

  it.each(['ADMITTED', 'READY', 'FAILED'] as const)('rejects cancelling %s with 409', async (state) => {
    const client = clientFor(broker, newCallerArn());
    const accepted = await client.submit(kernelGatewayRequest());
    await setState(accepted.requestId, state);

    const error = await client.cancel(accepted.requestId).catch((caught: unknown) => caught);

    expect((error as BrokerApiError).status).toBe(409);
    expect((error as BrokerApiError).message).toContain(`is ${state};`);
    expect((await client.get(accepted.requestId)).state).toBe(state);
  });
  // Workers run from here on, so the tests above set states without racing them.
  it('cancels a queued request that the worker then never creates', async () => {
    const client = clientFor(broker, newCallerArn());
    const input = kernelGatewayRequest();
    const accepted = await client.submit(input);

    const cancelled = await client.cancel(accepted.requestId);
    broker.startWorkers(1);
    const control = await client.submit(kernelGatewayRequest({ DomainId: input.DomainId }));
    await client.waitUntilTerminal(control.requestId, { timeoutMs: 30_000, intervalMs: 100 });

    expect(cancelled.state).toBe('CANCELLED');
    expect((await client.get(accepted.requestId)).state).toBe('CANCELLED');
    const createCalls = broker.stack.simulator.createAppCallsByIdentity?.() ?? {};
    expect(Object.keys(createCalls).some((identity) => identity.includes(input.AppName))).toBe(false);
    expect(Object.keys(createCalls).some((identity) => identity.includes(control.appName))).toBe(true);
  });

  it('rejects cancelling a created request with 409', async () => {
    const client = clientFor(broker, newCallerArn());
    const accepted = await client.submit(kernelGatewayRequest());
    await client.waitUntilTerminal(accepted.requestId, { timeoutMs: 30_000, intervalMs: 100 });

    const error = await client.cancel(accepted.requestId).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(BrokerApiError);
    expect((error as BrokerApiError).status).toBe(409);
    expect((error as BrokerApiError).code).toBe('NotCancellable');
    expect((error as BrokerApiError).message).toBe(
      `Request ${accepted.requestId} is CREATED; only QUEUED, WAITING and RETRYING requests can be cancelled`,
    );
  });

});
