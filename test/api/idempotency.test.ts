import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpApiEvent } from '../../infra/local/http-event';
import { httpJson, startTestBroker, type TestBroker } from '../support/broker';
import { bodyOf, countCalls, directHandler, kernelGatewayRequest, newCallerArn, storedRequests } from './helpers';

describe('Idempotency-Key', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker();
  });

  afterAll(async () => {
    await broker?.stop();
  });

  const post = (body: unknown, callerArn: string, key?: string) =>
    httpJson(broker.http.url, 'POST', '/apps', body, { 'x-local-caller-arn': callerArn, ...(key === undefined ? {} : { 'idempotency-key': key }) });

  async function requestsOf(callerArn: string) {
    return (await storedRequests(broker)).filter((request) => request.callerArn === callerArn);
  }

  it('returns the first answer for a repeat without a second message', async () => {
    const callerArn = newCallerArn();
    const body = kernelGatewayRequest();
    const first = await post(body, callerArn, 'key-1');
    const sqsCalls = countCalls(broker.submitDeps.sqs);

    try {
      const repeat = await post(body, callerArn, 'key-1');

      expect(first.status).toBe(202);
      expect(repeat.status).toBe(202);
      expect(repeat.body).toEqual(first.body);
      expect(repeat.headers.get('idempotency-replayed')).toBe('true');
      expect(first.headers.get('idempotency-replayed')).toBeNull();
      expect(sqsCalls.commands).toEqual([]);
      expect(await requestsOf(callerArn)).toHaveLength(1);
    } finally {
      sqsCalls.stop();
    }
  });

  it('treats member order as the same body', async () => {
    const callerArn = newCallerArn();
    const body = kernelGatewayRequest();
    const reordered = Object.fromEntries(Object.entries(body).reverse());

    const first = await post(body, callerArn, 'key-order');
    const repeat = await post(reordered, callerArn, 'key-order');

    expect(repeat.status).toBe(202);
    expect(repeat.body.requestId).toBe(first.body.requestId);
  });

  it('rejects the same key with another body with 409', async () => {
    const callerArn = newCallerArn();
    const first = await post(kernelGatewayRequest(), callerArn, 'key-2');
    const sqsCalls = countCalls(broker.submitDeps.sqs);

    try {
      const other = await post(kernelGatewayRequest(), callerArn, 'key-2');

      expect(other.status).toBe(409);
      expect(other.body.error.code).toBe('IdempotencyKeyReused');
      expect(other.body.error.message).toBe(
        "Idempotency-Key 'key-2' was already used with a different request body; use a new key for a different request",
      );
      expect(sqsCalls.commands).toEqual([]);
      const stored = await requestsOf(callerArn);
      expect(stored.map((request) => request.requestId)).toEqual([first.body.requestId]);
    } finally {
      sqsCalls.stop();
    }
  });

  it('scopes keys to the caller', async () => {
    const body = kernelGatewayRequest();
    const first = await post(body, newCallerArn(), 'shared-key');
    const second = await post(body, newCallerArn(), 'shared-key');

    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.requestId).not.toBe(first.body.requestId);
  });

  it('creates two requests for two posts without a key', async () => {
    const callerArn = newCallerArn();
    const body = kernelGatewayRequest();

    const first = await post(body, callerArn);
    const second = await post(body, callerArn);

    expect(second.body.requestId).not.toBe(first.body.requestId);
    expect(await requestsOf(callerArn)).toHaveLength(2);
  });

  it('records the key on the request', async () => {
    const callerArn = newCallerArn();
    const accepted = await post(kernelGatewayRequest(), callerArn, 'key-recorded');

    const [stored] = await requestsOf(callerArn);
    expect(stored?.requestId).toBe(accepted.body.requestId);
    expect(stored?.idempotencyKey).toBe('key-recorded');
  });

  it('answers a key still in progress with 409 and retry-after', async () => {
    const callerArn = newCallerArn();
    const body = kernelGatewayRequest();
    const slowName = 'slowSendMessage';
    broker.submitDeps.sqs.middlewareStack.add(
      (next) => async (args) => {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return next(args);
      },
      { step: 'initialize', name: slowName },
    );

    try {
      const firstPromise = post(body, callerArn, 'key-slow');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const concurrent = await post(body, callerArn, 'key-slow');
      const first = await firstPromise;

      expect(first.status).toBe(202);
      expect(concurrent.status).toBe(409);
      expect(concurrent.body.error.code).toBe('IdempotencyKeyInProgress');
      expect(concurrent.headers.get('retry-after')).toBe('1');
      expect(await requestsOf(callerArn)).toHaveLength(1);
    } finally {
      broker.submitDeps.sqs.middlewareStack.remove(slowName);
    }
  });

  it('runs again after a failed first attempt', async () => {
    const callerArn = newCallerArn();
    const body = kernelGatewayRequest();
    const failName = 'failSendMessage';
    broker.submitDeps.sqs.middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' });
      },
      { step: 'initialize', name: failName },
    );

    let failed;
    try {
      failed = await post(body, callerArn, 'key-retry');
    } finally {
      broker.submitDeps.sqs.middlewareStack.remove(failName);
    }
    const retried = await post(body, callerArn, 'key-retry');

    expect(failed.status).toBe(500);
    expect(failed.body.error.code).toBe('InternalError');
    expect(retried.status).toBe(202);
    expect(retried.headers.get('idempotency-replayed')).toBeNull();
    expect(await requestsOf(callerArn)).toHaveLength(1);
  });

  it('forgets a key after IDEMPOTENCY_EXPIRY_SECONDS', async () => {
    const invoke = directHandler(broker, { config: { ...broker.submitDeps.config, idempotencyExpirySeconds: 1 } });
    const callerArn = newCallerArn();
    const body = JSON.stringify(kernelGatewayRequest());
    const event = () =>
      buildHttpApiEvent({ method: 'POST', path: '/apps', headers: { 'content-type': 'application/json', 'idempotency-key': 'key-expiring' }, body, callerArn });

    const first = bodyOf(await invoke(event()));
    const repeat = bodyOf(await invoke(event()));
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const afterExpiry = bodyOf(await invoke(event()));

    expect(repeat.requestId).toBe(first.requestId);
    expect(afterExpiry.requestId).not.toBe(first.requestId);
  });

  it('rejects an over-long key with 400', async () => {
    const response = await post(kernelGatewayRequest(), newCallerArn(), 'k'.repeat(257));

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('InvalidIdempotencyKey');
  });
});
