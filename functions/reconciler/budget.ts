/** Limits of one reconciler run: it stops starting new work when either is used up. */
export interface RunBudget {
  /** Epoch ms after which the run starts nothing new. */
  stopAtEpochMs: number;
  maxPages: number;
  now: () => number;
}

export function hasTimeLeft(budget: RunBudget): boolean {
  return budget.now() < budget.stopAtEpochMs;
}
