import type { AppDetails } from '@aws-sdk/client-sagemaker';
import { BatchGetCommand, type BatchGetCommandOutput, DeleteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { HOLD_PARTITION_KEY, holdSortKey } from '../quota/keys';
import { releaseSlotItems, type SlotSubject } from '../quota/reservation';
import type { BrokerRequest } from '../requests/model';
import { logger } from '../shared/observability';
import { transactWrite } from '../shared/transactions';
import { transitionItem } from '../requests/store';
import type { WorkerDeps } from '../worker/deps';
import { listDomainApps, appIdentityKey } from './app-status';
import { wakeWaitingRequests } from './wake-waiting';
import { hasTimeLeft, type RunBudget } from './budget';
import { settleAdmitted, settleCreated } from './settle';

export interface SlotStats {
  slotsSeen: number;
  slotsReleased: number;
  ready: number;
  failed: number;
  adopted: number;
  requeued: number;
  /** WAITING requests given a new message because a slot they wait for was freed. */
  woken: number;
}

interface SlotItem extends SlotSubject {
  pk: string;
  sk: string;
  reservedAtEpochMs: number;
}

const CURSOR_KEY = { pk: 'RECONCILER', sk: 'CURSOR#slots' };

/**
 * Walks the quota slots page by page, from where the last run stopped, and brings each in line
 * with SageMaker. CREATED requests become READY or FAILED. Slots of apps that are Deleted or
 * Failed, also apps deleted in Studio, are freed. Reservations whose worker died are settled.
 */
export async function reconcileSlots(deps: WorkerDeps, budget: RunBudget): Promise<SlotStats> {
  const stats: SlotStats = { slotsSeen: 0, slotsReleased: 0, ready: 0, failed: 0, adopted: 0, requeued: 0, woken: 0 };
  const freed: SlotSubject[] = [];
  let startKey = await readCursor(deps);

  for (let page = 0; page < budget.maxPages && hasTimeLeft(budget); page += 1) {
    const output = await deps.dynamo.send(
      new ScanCommand({
        TableName: deps.config.quotasTableName,
        FilterExpression: 'begins_with(sk, :slot)',
        ExpressionAttributeValues: { ':slot': 'SLOT#' },
        ExclusiveStartKey: startKey,
        Limit: 200,
      }),
    );
    const slots = (output.Items ?? []) as SlotItem[];
    stats.slotsSeen += slots.length;
    await reconcileSlotPage(deps, budget, slots, stats, freed);

    startKey = output.LastEvaluatedKey;
    if (startKey === undefined) break;
  }

  await writeCursor(deps, startKey);
  stats.woken = await wakeWaitingRequests(deps, budget, freed);
  return stats;
}

async function reconcileSlotPage(deps: WorkerDeps, budget: RunBudget, slots: SlotItem[], stats: SlotStats, freed: SlotSubject[]): Promise<void> {
  const requests = await loadRequests(deps, slots.map((slot) => slot.requestId));
  const domains = [...new Set(slots.map((slot) => slot.domainId))];

  for (const domainId of domains) {
    if (!hasTimeLeft(budget)) return;
    const apps = await listDomainApps(deps.sageMaker, domainId, budget);
    if (apps === undefined) {
      logger.warn('ListApps did not finish within the run budget; domain skipped', { domainId });
      continue;
    }
    for (const slot of slots.filter((candidate) => candidate.domainId === domainId)) {
      try {
        await reconcileSlot(deps, slot, requests.get(slot.requestId), apps, stats, freed);
      } catch (error) {
        // One slot's failure must not stop the run. The next run reads the slot again.
        logger.warn('Failed to reconcile a quota slot', { requestId: slot.requestId, domainId, error: error as Error });
      }
    }
  }
}

async function reconcileSlot(deps: WorkerDeps, slot: SlotItem, request: BrokerRequest | undefined, apps: Map<string, AppDetails>, stats: SlotStats, freed: SlotSubject[]): Promise<void> {
  const nowEpochMs = deps.now();
  const isOldReservation = nowEpochMs - slot.reservedAtEpochMs > deps.config.reservationTimeoutSeconds * 1000;
  const app = request ? apps.get(appIdentityKey(request.input)) : undefined;
  const appHasEnded = app === undefined || app.Status === 'Deleted' || app.Status === 'Failed';

  switch (request?.state) {
    case 'CREATED': {
      const result = await settleCreated(deps, request, app);
      if (result === 'ready') stats.ready += 1;
      if (result === 'failed') {
        stats.failed += 1;
        stats.slotsReleased += 1;
        freed.push(slot);
        await clearHold(deps, slot);
      }
      return;
    }
    case 'READY':
      if (appHasEnded && (await releaseAndCount(deps, slot, stats, freed, 'App ended; slot freed'))) await markAppEnded(deps, request);
      return;
    case 'ADMITTED': {
      const leaseExpired = (request.leaseExpiresAtEpochMs ?? 0) < nowEpochMs;
      if (!leaseExpired || !isOldReservation) return;
      const result = await settleAdmitted(deps, request);
      if (result === 'adopted') stats.adopted += 1;
      if (result === 'requeued') {
        stats.requeued += 1;
        stats.slotsReleased += 1;
      }
      return;
    }
    default:
      if (isOldReservation) await releaseAndCount(deps, slot, stats, freed, 'Orphaned reservation taken back');
  }
}

async function releaseAndCount(deps: WorkerDeps, slot: SlotItem, stats: SlotStats, freed: SlotSubject[], logMessage: string): Promise<boolean> {
  const result = await transactWrite(deps.dynamo, releaseSlotItems(deps.config.quotasTableName, slot), deps.random);
  if (!result.ok) return false;
  stats.slotsReleased += 1;
  freed.push(slot);
  logger.info(logMessage, { requestId: slot.requestId, domainId: slot.domainId, instanceType: slot.instanceType });
  await clearHold(deps, slot);
  return true;
}

/** Records on a READY request that its app ended, so callers see why its slot is free. */
async function markAppEnded(deps: WorkerDeps, request: BrokerRequest): Promise<void> {
  const nowEpochMs = deps.now();
  const item = transitionItem(deps.config.requestsTableName, request.requestId, { states: ['READY'] }, {
    set: { appEndedAtEpochMs: nowEpochMs, updatedAtEpochMs: nowEpochMs, ttlEpochSeconds: Math.floor(nowEpochMs / 1000) + deps.config.requestRetentionDays * 86_400 },
  });
  await transactWrite(deps.dynamo, [item], deps.random);
}

/** Capacity of the slot's (app type, instance type) freed, so requests held for it may try again. */
async function clearHold(deps: WorkerDeps, slot: SlotSubject): Promise<void> {
  await deps.dynamo.send(
    new DeleteCommand({ TableName: deps.config.quotasTableName, Key: { pk: HOLD_PARTITION_KEY, sk: holdSortKey(slot.appType, slot.instanceType) } }),
  );
}

async function loadRequests(deps: WorkerDeps, requestIds: string[]): Promise<Map<string, BrokerRequest>> {
  const requests = new Map<string, BrokerRequest>();
  const unique = [...new Set(requestIds)];
  for (let start = 0; start < unique.length; start += 100) {
    let keys: Record<string, unknown>[] | undefined = unique.slice(start, start + 100).map((requestId) => ({ requestId }));
    while (keys && keys.length > 0) {
      const output: BatchGetCommandOutput = await deps.dynamo.send(
        new BatchGetCommand({ RequestItems: { [deps.config.requestsTableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of output.Responses?.[deps.config.requestsTableName] ?? []) requests.set(item.requestId as string, item as BrokerRequest);
      keys = output.UnprocessedKeys?.[deps.config.requestsTableName]?.Keys;
    }
  }
  return requests;
}

async function readCursor(deps: WorkerDeps): Promise<Record<string, unknown> | undefined> {
  const output = await deps.dynamo.send(new BatchGetCommand({ RequestItems: { [deps.config.quotasTableName]: { Keys: [CURSOR_KEY] } } }));
  const item = output.Responses?.[deps.config.quotasTableName]?.[0];
  return item?.startKey as Record<string, unknown> | undefined;
}

async function writeCursor(deps: WorkerDeps, startKey: Record<string, unknown> | undefined): Promise<void> {
  await deps.dynamo.send(new PutCommand({ TableName: deps.config.quotasTableName, Item: { ...CURSOR_KEY, startKey, updatedAtEpochMs: deps.now() } }));
}
