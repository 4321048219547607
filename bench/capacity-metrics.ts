import { jainIndex, percentile, summarizeLatencies, type LatencySummary } from './stats';

/** One request of the scarce-capacity run: when it started waiting and when it stopped. */
export interface RequestTimeline {
  domainId: string;
  arrivalAtEpochMs: number;
  /** When CreateApp succeeded for it, or absent when it never got an app. */
  createdAtEpochMs?: number;
  /** When it stopped waiting: created, given up, failed, or the end of the run. */
  settledAtEpochMs: number;
}

/** One app as the simulator counts it against the account limit (Pending, InService or Deleting). */
export interface AppTimeline {
  domainId: string;
  createdAtEpochMs: number;
  /** When it became Deleted (or Failed), or absent while it still counts. */
  endedAtEpochMs?: number;
}

export interface CapacityInput {
  capacity: number;
  /** Active apps each domain is entitled to at most. The broker enforces it and the baseline does not. */
  domainQuota: number;
  domainIds: string[];
  requests: RequestTimeline[];
  apps: AppTimeline[];
  createAppCalls: number;
  startAtEpochMs: number;
  endAtEpochMs: number;
}

export interface DomainFigures {
  domainId: string;
  requests: number;
  created: number;
  /** Share of all creations that went to this domain. */
  creationShare: number;
  /** Slot-seconds held while requests waited, over the max-min fair share capped by the quota. */
  heldToEntitled?: number;
}

export interface CapacityFigures {
  requests: number;
  created: number;
  createdShare: number;
  createAppCalls: number;
  createAppCallsPerCreated?: number;
  submitToCreated: LatencySummary;
  /** From an app ending while requests waited to the next CreateApp that succeeded. */
  freeToCreate: { frees: number; unmatched: number; p50Ms?: number; p95Ms?: number };
  /** Slot-seconds of capacity left unused while at least as many requests waited. */
  idleSlotSeconds: number;
  /** The same, counting only requests whose domain was below its quota. */
  idleAdmissibleSlotSeconds: number;
  /** Length of the run, from the first arrival to the last request settling. */
  runSeconds: number;
  domains: DomainFigures[];
  jainIndex?: number;
}

interface Moment {
  waitingByDomain: Map<string, number>;
  activeByDomain: Map<string, number>;
  waiting: number;
  active: number;
}

function momentAt(input: CapacityInput, atEpochMs: number): Moment {
  const waitingByDomain = new Map<string, number>();
  const activeByDomain = new Map<string, number>();
  for (const request of input.requests) {
    const isWaiting = request.arrivalAtEpochMs <= atEpochMs && atEpochMs < request.settledAtEpochMs;
    if (isWaiting) waitingByDomain.set(request.domainId, (waitingByDomain.get(request.domainId) ?? 0) + 1);
  }
  for (const app of input.apps) {
    const isActive = app.createdAtEpochMs <= atEpochMs && atEpochMs < (app.endedAtEpochMs ?? Infinity);
    if (isActive) activeByDomain.set(app.domainId, (activeByDomain.get(app.domainId) ?? 0) + 1);
  }
  const sum = (counts: Map<string, number>) => [...counts.values()].reduce((total, count) => total + count, 0);
  return { waitingByDomain, activeByDomain, waiting: sum(waitingByDomain), active: sum(activeByDomain) };
}

/** Max-min fair division of `capacity` among claims, each capped at its own claim. */
export function waterFill(capacity: number, claims: readonly number[]): number[] {
  const shares = claims.map(() => 0);
  const open = claims.map((claim, index) => ({ claim, index })).filter((entry) => entry.claim > 0).sort((left, right) => left.claim - right.claim);
  let remaining = capacity;
  while (open.length > 0 && remaining > 0) {
    const equalShare = remaining / open.length;
    const smallest = open[0] as { claim: number; index: number };
    if (smallest.claim > equalShare) {
      for (const entry of open) shares[entry.index] = equalShare;
      return shares;
    }
    shares[smallest.index] = smallest.claim;
    remaining -= smallest.claim;
    open.shift();
  }
  return shares;
}

/** Times at which the waiting or active counts may change, inside the run. */
function changeTimes(input: CapacityInput): number[] {
  const times = new Set<number>([input.startAtEpochMs, input.endAtEpochMs]);
  for (const request of input.requests) times.add(request.arrivalAtEpochMs).add(request.settledAtEpochMs);
  for (const app of input.apps) {
    times.add(app.createdAtEpochMs);
    if (app.endedAtEpochMs !== undefined) times.add(app.endedAtEpochMs);
  }
  return [...times].filter((time) => time >= input.startAtEpochMs && time <= input.endAtEpochMs).sort((left, right) => left - right);
}

/** Integrates idle capacity and each domain's held and entitled slot-seconds between change times. */
function integrate(input: CapacityInput) {
  const heldSlotSeconds = new Map<string, number>();
  const entitledSlotSeconds = new Map<string, number>();
  let idleSlotSeconds = 0;
  let idleAdmissibleSlotSeconds = 0;
  const times = changeTimes(input);

  for (let index = 0; index + 1 < times.length; index += 1) {
    const start = times[index] as number;
    const seconds = ((times[index + 1] as number) - start) / 1000;
    const moment = momentAt(input, start);
    if (moment.waiting === 0) continue;

    const free = Math.max(0, input.capacity - moment.active);
    const admissible = input.domainIds.reduce((total, domainId) => {
      const room = Math.max(0, input.domainQuota - (moment.activeByDomain.get(domainId) ?? 0));
      return total + Math.min(room, moment.waitingByDomain.get(domainId) ?? 0);
    }, 0);
    idleSlotSeconds += seconds * Math.min(free, moment.waiting);
    idleAdmissibleSlotSeconds += seconds * Math.min(free, admissible);

    const claims = input.domainIds.map((domainId) =>
      Math.min(input.domainQuota, (moment.activeByDomain.get(domainId) ?? 0) + (moment.waitingByDomain.get(domainId) ?? 0)),
    );
    const shares = waterFill(input.capacity, claims);
    input.domainIds.forEach((domainId, domainIndex) => {
      heldSlotSeconds.set(domainId, (heldSlotSeconds.get(domainId) ?? 0) + seconds * (moment.activeByDomain.get(domainId) ?? 0));
      entitledSlotSeconds.set(domainId, (entitledSlotSeconds.get(domainId) ?? 0) + seconds * (shares[domainIndex] ?? 0));
    });
  }
  return { heldSlotSeconds, entitledSlotSeconds, idleSlotSeconds, idleAdmissibleSlotSeconds };
}

/**
 * Pairs each app end that found requests waiting with the next successful CreateApp, first in
 * first out. An end still unpaired when the run ends counts as unmatched.
 */
function freeToCreateWaits(input: CapacityInput): CapacityFigures['freeToCreate'] {
  type Event = { atEpochMs: number; kind: 'free' | 'create' };
  const events: Event[] = [
    ...input.apps.filter((app) => app.endedAtEpochMs !== undefined).map((app) => ({ atEpochMs: app.endedAtEpochMs as number, kind: 'free' as const })),
    ...input.apps.map((app) => ({ atEpochMs: app.createdAtEpochMs, kind: 'create' as const })),
  ]
    .filter((event) => event.atEpochMs <= input.endAtEpochMs)
    .sort((left, right) => left.atEpochMs - right.atEpochMs || (left.kind === 'free' ? -1 : 1));

  const pending: number[] = [];
  const waitsMs: number[] = [];
  let frees = 0;
  for (const event of events) {
    if (event.kind === 'free') {
      if (momentAt(input, event.atEpochMs).waiting === 0) continue;
      frees += 1;
      pending.push(event.atEpochMs);
    } else if (pending.length > 0) {
      waitsMs.push(event.atEpochMs - (pending.shift() as number));
    }
  }
  return { frees, unmatched: pending.length, p50Ms: percentile(waitsMs, 0.5), p95Ms: percentile(waitsMs, 0.95) };
}

/** Computes the scarce-capacity figures of one run from its request and app timelines. */
export function capacityFigures(input: CapacityInput): CapacityFigures {
  const created = input.requests.filter((request) => request.createdAtEpochMs !== undefined);
  const totals = integrate(input);
  const domains = input.domainIds.map((domainId): DomainFigures => {
    const createdHere = created.filter((request) => request.domainId === domainId).length;
    const entitledSeconds = totals.entitledSlotSeconds.get(domainId) ?? 0;
    return {
      domainId,
      requests: input.requests.filter((request) => request.domainId === domainId).length,
      created: createdHere,
      creationShare: createdHere / Math.max(1, created.length),
      heldToEntitled: entitledSeconds > 0 ? (totals.heldSlotSeconds.get(domainId) ?? 0) / entitledSeconds : undefined,
    };
  });
  const fairnessValues = domains.flatMap((domain) => (domain.heldToEntitled === undefined ? [] : [domain.heldToEntitled]));

  return {
    requests: input.requests.length,
    created: created.length,
    createdShare: created.length / Math.max(1, input.requests.length),
    createAppCalls: input.createAppCalls,
    createAppCallsPerCreated: created.length === 0 ? undefined : input.createAppCalls / created.length,
    submitToCreated: summarizeLatencies(created.map((request) => (request.createdAtEpochMs as number) - request.arrivalAtEpochMs)),
    freeToCreate: freeToCreateWaits(input),
    idleSlotSeconds: totals.idleSlotSeconds,
    idleAdmissibleSlotSeconds: totals.idleAdmissibleSlotSeconds,
    runSeconds: (input.endAtEpochMs - input.startAtEpochMs) / 1000,
    domains,
    jainIndex: jainIndex(fairnessValues),
  };
}
