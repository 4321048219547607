import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domainQuotaSchema } from '../../functions/quota/policy';
import { httpJson, startTestBroker, waitFor, type TestBroker } from '../support/broker';
import { ADMIN_ROLE_ARN, ADMIN_SESSION_ARN, clientFor, kernelGatewayRequest, newDomainId } from './helpers';

describe('/domains/{domainId}/quota', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker({ env: { ADMIN_PRINCIPAL_ARNS: ADMIN_ROLE_ARN, RETRY_BASE_SECONDS: '1', RETRY_CAP_SECONDS: '1' } });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  const admin = () => clientFor(broker, ADMIN_SESSION_ARN);
  const put = (domainId: string, body: unknown, headers: Record<string, string> = {}) =>
    httpJson(broker.http.url, 'PUT', `/domains/${domainId}/quota`, body, { 'x-local-caller-arn': ADMIN_SESSION_ARN, ...headers });

  async function usageItem(domainId: string): Promise<Record<string, unknown>> {
    const output = await broker.submitDeps.dynamo.send(
      new GetCommand({ TableName: broker.stack.config.quotasTableName, Key: { pk: `DOMAIN#${domainId}`, sk: 'USAGE' }, ConsistentRead: true }),
    );
    return output.Item ?? {};
  }

  function policyAttributesOf(item: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(item).filter(([name]) => name === 'maxActiveApps' || name.startsWith('max#')));
  }

  it('reports the default for a domain without a policy', async () => {
    const domainId = newDomainId();

    const quota = await admin().getQuota(domainId);

    expect(domainQuotaSchema.parse(quota)).toEqual({
      domainId,
      policy: null,
      defaultMaxActiveApps: 10,
      usage: { activeApps: 0, activeAppsByInstanceType: {}, activeAppsByAppType: {} },
      policyVersion: 0,
    });
  });

  it('stores a policy as the reservation reads it', async () => {
    const domainId = newDomainId();
    const policy = { maxActiveApps: 4, maxActiveAppsByInstanceType: { 'ml.g5.xlarge': 1, 'ml.t3.medium': 3 }, maxActiveAppsByAppType: { KernelGateway: 2 } };

    const quota = await admin().putQuota(domainId, policy);

    expect(quota.policy).toEqual(policy);
    expect(quota.policyVersion).toBe(1);
    expect(policyAttributesOf(await usageItem(domainId))).toEqual({
      maxActiveApps: 4,
      'max#instanceType#ml.g5.xlarge': 1,
      'max#instanceType#ml.t3.medium': 3,
      'max#appType#KernelGateway': 2,
    });
    expect(await admin().getQuota(domainId)).toEqual(quota);
  });

  it('removes limits that a new policy omits', async () => {
    const domainId = newDomainId();
    await admin().putQuota(domainId, { maxActiveApps: 4, maxActiveAppsByInstanceType: { 'ml.g5.xlarge': 1, 'ml.t3.medium': 3 }, maxActiveAppsByAppType: { KernelGateway: 2 } });

    const quota = await admin().putQuota(domainId, { maxActiveApps: 6, maxActiveAppsByInstanceType: { 'ml.t3.medium': 5 } });

    expect(quota.policy).toEqual({ maxActiveApps: 6, maxActiveAppsByInstanceType: { 'ml.t3.medium': 5 } });
    expect(quota.policyVersion).toBe(2);
    expect(policyAttributesOf(await usageItem(domainId))).toEqual({ maxActiveApps: 6, 'max#instanceType#ml.t3.medium': 5 });
  });

  it.each([
    ['a missing maxActiveApps', {}, 'maxActiveApps', 'required'],
    ['a negative limit', { maxActiveApps: -1 }, 'maxActiveApps', 'minimum'],
    ['a limit above the maximum', { maxActiveApps: 10_001 }, 'maxActiveApps', 'maximum'],
    ['a fractional limit', { maxActiveApps: 1.5 }, 'maxActiveApps', 'type'],
    ['a string limit', { maxActiveApps: '3' }, 'maxActiveApps', 'type'],
    ['an unknown instance type', { maxActiveApps: 3, maxActiveAppsByInstanceType: { 'ml.nope.large': 1 } }, 'maxActiveAppsByInstanceType.ml.nope.large', 'unknownField'],
    ['an unknown app type', { maxActiveApps: 3, maxActiveAppsByAppType: { Notebook: 1 } }, 'maxActiveAppsByAppType.Notebook', 'unknownField'],
    ['an unknown member', { maxActiveApps: 3, maxApps: 1 }, 'maxApps', 'unknownField'],
  ])('rejects %s with 400', async (_case, body, field, rule) => {
    const domainId = newDomainId();

    const response = await put(domainId, body);

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('ValidationFailed');
    expect(response.body.error.details).toContainEqual(expect.objectContaining({ field, rule }));
    expect(await usageItem(domainId)).toEqual({});
  });

  it('names the quota policy in an unknown member message', async () => {
    const response = await put(newDomainId(), { maxActiveApps: 3, maxApps: 1 });

    expect(response.body.error.details).toEqual([{ field: 'maxApps', rule: 'unknownField', message: 'is not a member of the quota policy' }]);
  });

  it('rejects an invalid domain id with 400', async () => {
    const response = await put('Domain_1', { maxActiveApps: 3 });

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('InvalidParameter');
    expect(response.body.error.details).toEqual([expect.objectContaining({ field: 'domainId', rule: 'pattern' })]);
  });

  it('rejects malformed JSON and other media types', async () => {
    const malformed = await put(newDomainId(), '{"maxActiveApps":');
    const text = await put(newDomainId(), 'maxActiveApps=3', { 'content-type': 'text/plain' });

    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('MalformedJson');
    expect(text.status).toBe(415);
  });

  it('admits by the policy and reports usage', async () => {
    broker.startWorkers(1);
    const domainId = newDomainId();
    const client = admin();
    await client.putQuota(domainId, { maxActiveApps: 5, maxActiveAppsByInstanceType: { 'ml.t3.medium': 1 } });

    const first = await client.submit(kernelGatewayRequest({ DomainId: domainId }));
    const second = await client.submit(kernelGatewayRequest({ DomainId: domainId }));
    await client.waitUntilTerminal(first.requestId, { timeoutMs: 30_000, intervalMs: 100 });
    await waitFor(() => client.get(second.requestId), (request) => request.state === 'WAITING');
    const quota = await client.getQuota(domainId);

    expect(quota.usage).toEqual({ activeApps: 1, activeAppsByInstanceType: { 'ml.t3.medium': 1 }, activeAppsByAppType: { KernelGateway: 1 } });

    await client.putQuota(domainId, { maxActiveApps: 5, maxActiveAppsByInstanceType: { 'ml.t3.medium': 2 } });
    const created = await client.waitUntilTerminal(second.requestId, { timeoutMs: 30_000, intervalMs: 100 });
    expect(created.state).toBe('CREATED');
    expect((await client.getQuota(domainId)).usage.activeApps).toBe(2);
  });
});
