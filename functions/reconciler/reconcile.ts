import type { WorkerDeps } from '../worker/deps';
import type { RunBudget } from './budget';
import { reconcileSlots, type SlotStats } from './reconcile-slots';
import { resendStuckRequests } from './resend-stuck';

export interface ReconcileSummary extends SlotStats {
  resent: number;
}

/**
 * Runs the reconciler once: quota slots against SageMaker's apps, then requests that lost their
 * message. Every change is a conditional write, so two runs at once do no harm, and a run that
 * hits its budget leaves the rest to the next one.
 */
export async function reconcile(deps: WorkerDeps, budget: RunBudget): Promise<ReconcileSummary> {
  const slots = await reconcileSlots(deps, budget);
  const resent = await resendStuckRequests(deps, budget);
  return { ...slots, resent };
}
