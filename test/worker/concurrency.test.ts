import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINAL_STATES } from '../../functions/requests/model';
import { startTestBroker, waitFor, type TestBroker } from '../support/broker';
import { setDomainMaxActiveApps } from '../support/quota';
import { kernel, sleep, submit } from './helpers';
import { checkRequests, startAppActivity, startQuotaPoller } from './invariants';

const QUOTAS: Record<string, number> = { 'd-load1': 1, 'd-load2': 2, 'd-load3': 3, 'd-load4': 2, 'd-load5': 3 };
const TOTAL_REQUESTS = 500;
const TOTAL_QUOTA = Object.values(QUOTAS).reduce((sum, quota) => sum + quota, 0);
const APP_LIFETIME_MS = 100;
const SUBMISSIONS_PER_TICK = 5;
const SUBMISSION_TICK_MS = 500;

describe('workers in parallel', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker({
      simulator: { startupDelayMs: 50, deleteDelayMs: 50, defaultLimit: 50 },
      env: { RETRY_BASE_SECONDS: '1', RETRY_CAP_SECONDS: '2', MAX_ATTEMPTS: '50', REQUEST_DEADLINE_SECONDS: '900' },
    });
    for (const [domainId, quota] of Object.entries(QUOTAS)) {
      await setDomainMaxActiveApps(broker.workerDeps.dynamo, broker.stack.config.quotasTableName, domainId, quota);
    }
  });

  afterAll(async () => {
    await broker?.stop();
  });

  async function countFinal(): Promise<number> {
    let finalCount = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await broker.workerDeps.dynamo.send(
        new ScanCommand({ TableName: broker.stack.config.requestsTableName, ProjectionExpression: '#state', ExpressionAttributeNames: { '#state': 'state' }, ExclusiveStartKey: startKey }),
      );
      finalCount += (page.Items ?? []).filter((item) => FINAL_STATES.includes(item.state)).length;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return finalCount;
  }

  it('never exceeds a domain quota with four workers and 500 requests', async () => {
    // Requests in proportion to each domain's quota, so every domain needs about as many app cycles.
    const counts = Object.values(QUOTAS).map((quota) => Math.floor((TOTAL_REQUESTS * quota) / TOTAL_QUOTA));
    counts[counts.length - 1] = (counts.at(-1) ?? 0) + TOTAL_REQUESTS - counts.reduce((sum, count) => sum + count, 0);
    const inputs = Object.keys(QUOTAS).flatMap((domainId, domainIndex) => Array.from({ length: counts[domainIndex] ?? 0 }, (_, index) => kernel(domainId, `load-${index}`)));
    const interleaved = [...inputs].sort((left, right) => Number(left.AppName.slice(5)) - Number(right.AppName.slice(5)));
    const startedAtEpochMs = Date.now();
    const poller = startQuotaPoller(broker, QUOTAS, 50);
    const activity = startAppActivity(broker, APP_LIFETIME_MS);
    const workers = broker.startWorkers(4, 10);

    // Requests arrive over about 50 s, as from many users, rather than as one burst.
    const requestIds: string[] = [];
    for (let start = 0; start < interleaved.length; start += SUBMISSIONS_PER_TICK) {
      requestIds.push(...(await Promise.all(interleaved.slice(start, start + SUBMISSIONS_PER_TICK).map((input) => submit(broker, input)))));
      await sleep(SUBMISSION_TICK_MS);
    }

    try {
      await waitFor(countFinal, (finalCount) => finalCount === requestIds.length, 150_000, 1_000);
    } catch (error) {
      console.log('unfinished requests', JSON.stringify((await checkRequests(broker, requestIds)).byState));
      throw error;
    } finally {
      await workers.stop();
      await activity.stop();
    }
    const polls = await poller.stop();
    const check = await checkRequests(broker, requestIds);

    console.log(
      `parallel workers: ${requestIds.length} requests in ${Object.keys(QUOTAS).length} domains, ${Math.round((Date.now() - startedAtEpochMs) / 1000)} s, ` +
        `${polls.polls} quota polls, states ${JSON.stringify(check.byState)}, ` +
        `worker invocations ${workers.stats.invocations}, CreateApp calls ${broker.stack.simulator.callCounts().CreateApp ?? 0}, ` +
        `invariant violations: ${polls.violations.length + check.violations.length}`,
    );
    expect(polls.polls).toBeGreaterThan(100);
    expect(polls.violations).toEqual([]);
    expect(check.violations).toEqual([]);
    expect(check.byState).toEqual({ READY: requestIds.length });
  }, 240_000);
});
