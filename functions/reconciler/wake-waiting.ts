import { holdSortKey } from '../quota/keys';
import type { SlotSubject } from '../quota/reservation';
import type { WorkerDeps } from '../worker/deps';
import type { RunBudget } from './budget';
import { requestsInState } from './state-pages';
import { resend } from './resend-stuck';

/**
 * Wakes waiting requests that the freed slots can serve, and returns how many woke. For each freed
 * slot, two requests get a new message at once instead of sleeping out their backoff. One is the
 * oldest WAITING request of the same domain. The other is the oldest WAITING or RETRYING request
 * that SageMaker refused with ResourceLimitExceeded for the same app and instance type.
 */
export async function wakeWaitingRequests(deps: WorkerDeps, budget: RunBudget, freed: SlotSubject[]): Promise<number> {
  if (freed.length === 0) return 0;

  const byDomain = countBy(freed, (slot) => slot.domainId);
  const byPair = countBy(freed, (slot) => holdSortKey(slot.appType, slot.instanceType));
  let woken = 0;
  for (const state of ['WAITING', 'RETRYING'] as const) {
    woken += await wakeInState(deps, budget, state, byDomain, byPair);
  }
  return woken;
}

async function wakeInState(deps: WorkerDeps, budget: RunBudget, state: 'WAITING' | 'RETRYING', byDomain: Map<string, number>, byPair: Map<string, number>): Promise<number> {
  let woken = 0;
  for await (const request of requestsInState(deps, budget, state)) {
    if ([...byDomain.values(), ...byPair.values()].every((count) => count <= 0)) break;

    const pair = holdSortKey(request.appType, request.instanceType);
    const refusedAtAccountLimit = request.lastError?.errorName === 'ResourceLimitExceeded';
    const servedByDomain = state === 'WAITING' && (byDomain.get(request.domainId) ?? 0) > 0;
    const servedByPair = refusedAtAccountLimit && (byPair.get(pair) ?? 0) > 0;
    if (!servedByDomain && !servedByPair) continue;
    if (!(await resend(deps, request))) continue;

    woken += 1;
    if (servedByDomain) byDomain.set(request.domainId, (byDomain.get(request.domainId) ?? 1) - 1);
    if (servedByPair) byPair.set(pair, (byPair.get(pair) ?? 1) - 1);
  }
  return woken;
}

function countBy<T>(items: T[], keyOf: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
  return counts;
}
