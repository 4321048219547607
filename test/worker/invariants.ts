import { reconcile } from '../../functions/reconciler/reconcile';
import { FINAL_STATES, type BrokerRequest } from '../../functions/requests/model';
import { REQUEST_ID_TAG_KEY } from '../../functions/requests/schema';
import type { TestBroker } from '../support/broker';
import { readUsage } from '../support/quota';
import { appsByRequestId, liveAppsByDomain, queuedWorkMessages, readRequest, sleep } from './helpers';

export interface QuotaPoller {
  /** Stops polling and returns the number of polls and every quota exceeded at any of them. */
  stop(): Promise<{ polls: number; violations: string[] }>;
}

/**
 * Reads each domain's usage counter and the simulator's live apps of the domain every
 * `intervalMs` while the test runs, and records each time either is above the domain's quota.
 */
export function startQuotaPoller(broker: TestBroker, quotas: Record<string, number>, intervalMs = 50): QuotaPoller {
  const violations: string[] = [];
  let polls = 0;
  let running = true;

  async function pollOnce(): Promise<void> {
    const liveApps = liveAppsByDomain(broker);
    for (const [domainId, quota] of Object.entries(quotas)) {
      const usage = await readUsage(broker.workerDeps.dynamo, broker.stack.config.quotasTableName, domainId);
      const active = Number(usage.active ?? 0);
      if (active > quota) violations.push(`usage of ${domainId} is ${active}, above its quota of ${quota}`);
      const live = liveApps.get(domainId) ?? 0;
      if (live > quota) violations.push(`${domainId} has ${live} live apps, above its quota of ${quota}`);
    }
    polls += 1;
  }

  const loop = (async () => {
    while (running) {
      await pollOnce();
      await sleep(intervalMs);
    }
  })();

  return {
    async stop() {
      running = false;
      await loop;
      return { polls, violations };
    },
  };
}

export interface Activity {
  stop(): Promise<void>;
}

/**
 * Plays the people and the schedule around the broker: deletes each InService app once it has
 * run for `lifetimeMs` and its request is READY, and runs the reconciler in a loop so deleted
 * apps free their slots.
 */
export function startAppActivity(broker: TestBroker, lifetimeMs: number): Activity {
  let running = true;

  const users = (async () => {
    while (running) {
      const nowEpochMs = Date.now();
      for (const app of broker.stack.simulator.listAppRecords()) {
        const hasRunItsTime = app.Status === 'InService' && nowEpochMs - app.startupEndsAtEpochMs >= lifetimeMs;
        const requestId = app.Tags.find((tag) => tag.Key === REQUEST_ID_TAG_KEY)?.Value;
        if (!hasRunItsTime || requestId === undefined) continue;
        if ((await readRequest(broker, requestId))?.state === 'READY') broker.stack.simulator.deleteApp(app);
      }
      await sleep(50);
    }
  })();

  const reconciler = (async () => {
    while (running) {
      await reconcile(broker.workerDeps, { now: broker.workerDeps.now, stopAtEpochMs: Date.now() + 10_000, maxPages: 10 });
      await sleep(50);
    }
  })();

  return {
    async stop() {
      running = false;
      await Promise.all([users, reconciler]);
    },
  };
}

export interface RequestCheck {
  requests: number;
  byState: Record<string, number>;
  violations: string[];
}

const WAITING_STATES = new Set(['QUEUED', 'WAITING', 'RETRYING']);

/**
 * Checks the broker's promise for each request. It is final, or it waits with its live message
 * on the queue. A FAILED one has a reason. No request has more than one app, and a CREATED or
 * READY one has exactly one.
 */
export async function checkRequests(broker: TestBroker, requestIds: string[]): Promise<RequestCheck> {
  const queuedTokens = new Set((await queuedWorkMessages(broker)).map((message) => message.messageToken));
  const apps = appsByRequestId(broker);
  const byState: Record<string, number> = {};
  const violations: string[] = [];

  for (const requestId of requestIds) {
    const request: BrokerRequest | undefined = await readRequest(broker, requestId);
    if (request === undefined) {
      violations.push(`request ${requestId} is not stored`);
      continue;
    }
    byState[request.state] = (byState[request.state] ?? 0) + 1;
    violations.push(...violationsOf(request, queuedTokens, apps.get(requestId) ?? 0));
  }
  return { requests: requestIds.length, byState, violations };
}

function violationsOf(request: BrokerRequest, queuedTokens: Set<string>, appCount: number): string[] {
  const violations: string[] = [];
  const isFinal = FINAL_STATES.includes(request.state);
  const waitsWithLiveMessage = WAITING_STATES.has(request.state) && queuedTokens.has(request.messageToken);
  if (!isFinal && !waitsWithLiveMessage) violations.push(`request ${request.requestId} is ${request.state} without a live message`);
  if (request.state === 'FAILED' && !request.failure?.reason) violations.push(`request ${request.requestId} is FAILED without a reason`);
  if (appCount > 1) violations.push(`request ${request.requestId} has ${appCount} apps`);

  const hasApp = request.state === 'CREATED' || request.state === 'READY';
  if (hasApp && appCount !== 1) violations.push(`request ${request.requestId} is ${request.state} with ${appCount} apps`);
  return violations;
}
