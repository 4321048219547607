import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpJson, startTestBroker, waitFor, type TestBroker } from '../support/broker';

const fixturesUrl = new URL('../../../shared/fixtures/requests/', import.meta.url);
const gpuRequest = JSON.parse(readFileSync(new URL('kernelgateway-gpu.json', fixturesUrl), 'utf8'));

describe('main path', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker({
      simulator: { limits: { 'KernelGateway/ml.g5.xlarge': 1 }, startupDelayMs: 200, deleteDelayMs: 200 },
      env: { RETRY_BASE_SECONDS: '1', RETRY_CAP_SECONDS: '2' },
    });
    broker.startWorkers(1);
  });

  afterAll(async () => {
    await broker?.stop();
  });

  const getRequest = (id: string) => httpJson(broker.http.url, 'GET', `/requests/${id}`).then((response) => response.body);

  it('creates the app of an accepted request', async () => {
    const accepted = await httpJson(broker.http.url, 'POST', '/apps', gpuRequest);
    expect(accepted.status).toBe(202);
    expect(accepted.body.state).toBe('QUEUED');
    expect(accepted.headers.get('location')).toBe(`/requests/${accepted.body.requestId}`);

    const created = await waitFor(() => getRequest(accepted.body.requestId), (request) => request.state === 'CREATED');
    expect(created.appArn).toBe('arn:aws:sagemaker:us-east-1:111122223333:app/d-exmpl0000002/ml-engineer-7/kernelgateway/pytorch-2-1-gpu-ml-g5-xlarge-7c1d');
    expect(created.attempts).toBe(1);

    const readEvents = async () => broker.stack.simulator.putEvents().map((event) => ({ detailType: event.DetailType, detail: JSON.parse(event.Detail ?? '{}') }));
    const events = await waitFor(readEvents, (all) => all.some((event) => event.detail.requestId === accepted.body.requestId));
    const createdEvent = events.find((event) => event.detail.requestId === accepted.body.requestId);
    expect(createdEvent?.detailType).toBe('Studio App Request Created');
    expect(createdEvent?.detail.appArn).toBe(created.appArn);
    expect(createdEvent?.detail.domainId).toBe('d-exmpl0000002');
  });

  it('waits at the account limit and creates once capacity frees', async () => {
    const second = { ...gpuRequest, AppName: 'pytorch-2-1-gpu-ml-g5-xlarge-second' };
    const accepted = await httpJson(broker.http.url, 'POST', '/apps', second);
    expect(accepted.status).toBe(202);

    const waiting = await waitFor(() => getRequest(accepted.body.requestId), (request) => request.state === 'RETRYING' || request.state === 'WAITING');
    expect(waiting.lastError.errorName).toBe('ResourceLimitExceeded');
    expect(waiting.lastError.message).toContain("'Studio KernelGateway Apps running on ml.g5.xlarge instance' is 1 Apps");

    broker.stack.simulator.deleteApp({ DomainId: 'd-exmpl0000002', UserProfileName: 'ml-engineer-7', AppType: 'KernelGateway', AppName: gpuRequest.AppName });
    const created = await waitFor(() => getRequest(accepted.body.requestId), (request) => request.state === 'CREATED', 60_000);
    expect(created.appArn).toContain('/pytorch-2-1-gpu-ml-g5-xlarge-second');
    expect(created.attempts).toBeGreaterThanOrEqual(2);
  });
});
