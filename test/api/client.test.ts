import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerClient, WaitTimeoutError, type OutgoingRequest } from '../../functions/client';
import { startTestBroker, type TestBroker } from '../support/broker';
import { clientFor, kernelGatewayRequest, newCallerArn } from './helpers';

describe('broker client', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker({ simulator: { startupDelayMs: 50 } });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('raises WaitTimeoutError while nothing processes the request', async () => {
    const client = clientFor(broker, newCallerArn());
    const accepted = await client.submit(kernelGatewayRequest());

    const error = await client.waitUntilTerminal(accepted.requestId, { timeoutMs: 300, intervalMs: 50 }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toBe(`Request ${accepted.requestId} is still QUEUED after 300 ms`);
  });

  it('signs every request through the hook', async () => {
    const callerArn = newCallerArn();
    const signed: string[] = [];
    const client = createBrokerClient({
      baseUrl: broker.http.url,
      sign: (request: OutgoingRequest) => {
        signed.push(`${request.method} ${request.url.pathname}`);
        return { ...request, headers: { ...request.headers, 'x-local-caller-arn': callerArn } };
      },
    });

    const accepted = await client.submit(kernelGatewayRequest(), { idempotencyKey: 'signed-1' });
    const listed = await client.list({ limit: 10 });

    expect(listed.items.map((item) => item.requestId)).toEqual([accepted.requestId]);
    expect(signed).toEqual(['POST /apps', 'GET /requests']);
  });

  it('waits until the worker creates the app', async () => {
    broker.startWorkers(1);
    const client = clientFor(broker, newCallerArn());
    const accepted = await client.submit(kernelGatewayRequest());

    const created = await client.waitUntilTerminal(accepted.requestId, { timeoutMs: 30_000, intervalMs: 100 });

    expect(created.state).toBe('CREATED');
    expect(created.appArn).toContain(`/${accepted.appName}`);
  });
});
