import type { Context } from 'aws-lambda';
import { logger, publishMetrics } from '../shared/observability';
import type { WorkerDeps } from '../worker/deps';
import { createDefaultWorkerDeps } from '../worker/handler';
import { reconcile, type ReconcileSummary } from './reconcile';

/** Time kept free at the end of an invocation so the run can finish its page and write its cursor. */
const SAFETY_MARGIN_MS = 10_000;

/** Builds the reconciler's handler; any scheduled event starts one run within the invocation's time. */
export function createReconcilerHandler(deps: WorkerDeps): (event: unknown, context: Context) => Promise<ReconcileSummary> {
  return async (_event, context) => {
    logger.addContext(context);
    try {
      const budget = {
        now: deps.now,
        stopAtEpochMs: deps.now() + Math.max(1000, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS),
        maxPages: deps.config.reconcilerMaxPages,
      };
      const summary = await reconcile(deps, budget);
      const changed = Object.entries(summary).some(([name, count]) => name !== 'slotsSeen' && count > 0);
      if (changed) logger.info('Reconciler run changed requests or slots', { ...summary });
      else logger.debug('Reconciler run found nothing to change', { ...summary });
      return summary;
    } finally {
      publishMetrics();
    }
  };
}

let defaultHandler: ReturnType<typeof createReconcilerHandler> | undefined;

export const handler = (event: unknown, context: Context): Promise<ReconcileSummary> => {
  defaultHandler ??= createReconcilerHandler(createDefaultWorkerDeps());
  return defaultHandler(event, context);
};
