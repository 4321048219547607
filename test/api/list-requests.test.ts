import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerApiError, type BrokerClient } from '../../functions/client';
import type { RequestView } from '../../functions/requests/model';
import { requestPageSchema } from '../../functions/submit/contract';
import { httpJson, startTestBroker, type TestBroker } from '../support/broker';
import { clientFor, kernelGatewayRequest, newCallerArn, newDomainId } from './helpers';

describe('GET /requests', () => {
  let broker: TestBroker;
  let clock = Date.parse('2026-12-01T08:00:00Z');

  beforeAll(async () => {
    // Distinct creation times make "newest first" observable.
    broker = await startTestBroker({ now: () => (clock += 1000) });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  async function submitMany(client: BrokerClient, domainIds: string[]): Promise<RequestView[]> {
    const views: RequestView[] = [];
    for (const domainId of domainIds) views.push(await client.submit(kernelGatewayRequest({ DomainId: domainId })));
    return views;
  }

  it('pages newest first with an opaque token', async () => {
    const client = clientFor(broker, newCallerArn());
    const submitted = await submitMany(client, Array.from({ length: 7 }, () => newDomainId()));
    const expected = submitted.map((view) => view.requestId).reverse();

    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.list({ limit: 3, nextToken });
      expect(requestPageSchema.safeParse(page).success).toBe(true);
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((item) => item.requestId));
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken !== undefined && pages < 10);

    expect(seen).toEqual(expected);
    expect(pages).toBe(3);
  });

  it('filters by domain and state together', async () => {
    const client = clientFor(broker, newCallerArn());
    const domainId = newDomainId();
    const [first, second] = await submitMany(client, [domainId, domainId, newDomainId()]);
    await client.cancel(first!.requestId);

    const queued = await client.list({ domainId, state: 'QUEUED' });
    const cancelled = await client.list({ domainId, state: 'CANCELLED' });
    const inDomain = await client.list({ domainId });

    expect(queued.items.map((item) => item.requestId)).toEqual([second!.requestId]);
    expect(cancelled.items.map((item) => item.requestId)).toEqual([first!.requestId]);
    expect(inDomain.items.map((item) => item.requestId)).toEqual([second!.requestId, first!.requestId]);
  });

  it('fills a filtered page across queries', async () => {
    const client = clientFor(broker, newCallerArn());
    const domainId = newDomainId();
    const views = await submitMany(client, [domainId, newDomainId(), newDomainId(), domainId, newDomainId()]);

    const page = await client.list({ domainId, limit: 2 });

    expect(page.items.map((item) => item.requestId)).toEqual([views[3]!.requestId, views[0]!.requestId]);
  });

  it('returns an empty last page without a token', async () => {
    const page = await clientFor(broker, newCallerArn()).list();

    expect(page).toEqual({ items: [] });
  });

  it.each([
    ['a token that is not base64 JSON', 'not-a-token', 'it is not a token this API issued'],
    ['a token of another index', Buffer.from(JSON.stringify({ index: 'byDomain', key: { requestId: 'x' } })).toString('base64url'), 'it belongs to a listing with other filters'],
    [
      "a token into another caller's partition",
      Buffer.from(JSON.stringify({ index: 'byCaller', key: { requestId: 'x', callerArn: 'arn:aws:iam::111122223333:user/other', createdAtEpochMs: 1 } })).toString('base64url'),
      'it does not match this listing',
    ],
  ])('rejects %s with 400', async (_case, nextToken, reason) => {
    const client = clientFor(broker, newCallerArn());

    const error = await client.list({ nextToken }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(BrokerApiError);
    expect((error as BrokerApiError).status).toBe(400);
    expect((error as BrokerApiError).code).toBe('InvalidNextToken');
    expect((error as BrokerApiError).details).toEqual([{ field: 'nextToken', rule: 'token', message: reason }]);
  });

  it.each([
    ['limit=0', 'limit', 'minimum'],
    ['limit=101', 'limit', 'maximum'],
    ['limit=abc', 'limit', 'type'],
    ['state=DONE', 'state', 'enum'],
    ['domainId=Domain_1', 'domainId', 'pattern'],
    ['domain=d-abc', 'domain', 'unknownField'],
  ])('rejects the query %s with 400', async (query, field, rule) => {
    const response = await httpJson(broker.http.url, 'GET', `/requests?${query}`, undefined, { 'x-local-caller-arn': newCallerArn() });

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('InvalidParameter');
    expect(response.body.error.details).toEqual([expect.objectContaining({ field, rule })]);
  });
});
