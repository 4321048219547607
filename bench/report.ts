import type { DataScaleStep } from './data-scale';
import type { PathCostResult } from './path-cost';
import type { ScarceCapacityResult } from './scarce-capacity';
import { formatNumber, renderTable } from './table';

export function renderPathCost(result: PathCostResult): string {
  const { direct, submit, worker, endToEnd, latency, requestsPerCreatedApp } = result;
  const throughput = renderTable(
    `1. Path cost, no contention (${result.settings.requests} requests)`,
    ['figure', 'value', 'baseline', 'ratio'],
    [
      ['direct CreateApp calls/s (SDK to simulator)', direct.callsPerSecond, direct.callsPerSecond, 1],
      ['  first / last tenth of the direct calls, calls/s', `${formatNumber(direct.firstTenthPerSecond)} / ${formatNumber(direct.lastTenthPerSecond)}`, undefined, undefined],
      ['submit handler, accepted requests/s', submit.acceptedPerSecond, undefined, undefined],
      ['worker, records/s', worker.recordsPerSecond, undefined, undefined],
      ['worker, apps CREATED/s', worker.createdPerSecond, direct.callsPerSecond, formatNumber(endToEnd.workerRatioToDirect, 2)],
      ['end to end (submit + drain), apps CREATED/s', endToEnd.createdPerSecond, direct.callsPerSecond, formatNumber(endToEnd.ratioToDirect, 2)],
      ['submit handler latency p50 / p95 ms', `${formatNumber(submit.latency.p50Ms)} / ${formatNumber(submit.latency.p95Ms)}`, undefined, undefined],
      [
        `submit-to-CREATED ms at ${latency.pacedPerSecond}/s, p50 / p95 / p99`,
        `${formatNumber(latency.submitToCreated.p50Ms)} / ${formatNumber(latency.submitToCreated.p95Ms)} / ${formatNumber(latency.submitToCreated.p99Ms)}`,
        undefined,
        undefined,
      ],
    ],
  );
  const paced = latency.requestsPerCreatedApp;
  const operationNames = [...new Set([...Object.keys(requestsPerCreatedApp.byOperation), ...Object.keys(paced.byOperation)])].sort();
  const operations = operationNames.map((operation) => [
    operation,
    formatNumber(requestsPerCreatedApp.byOperation[operation] ?? 0, 3),
    formatNumber(paced.byOperation[operation] ?? 0, 3),
  ]);
  const breakdown = renderTable(
    `AWS requests per created app, target <= 6 (empty ReceiveMessage polls not counted: ${requestsPerCreatedApp.emptyReceives} in the drain, ${paced.emptyReceives} in the paced run)`,
    ['service.operation', `drain (${worker.created} apps)`, `paced (${latency.created} apps)`],
    [...operations, ['total', formatNumber(requestsPerCreatedApp.total, 3), formatNumber(paced.total, 3)]],
  );
  const states = Object.entries(result.finalStates).map(([state, count]) => `${state}=${count}`).join(', ');
  return `${throughput}\n\n${breakdown}\nFinal request states: ${states}`;
}

export function renderScarceCapacity(result: ScarceCapacityResult): string {
  const { broker, naive, ratios, settings } = result;
  const brokerFigures = broker.figures;
  const naiveFigures = naive.figures;
  const pair = (first?: number, second?: number, digits = 0) => `${formatNumber(first, digits)} / ${formatNumber(second, digits)}`;
  const title =
    `2. Scarce capacity: ${settings.requests} requests, limit ${settings.capacity} x ${settings.appType}/${settings.instanceType}, ` +
    `domain quota ${settings.domainQuota}, demand ${settings.domainWeights.map((weight) => `${weight * 100}%`).join('/')}`;
  const summary = renderTable(title, ['figure', 'broker', 'naive', 'broker/naive'], [
    ['requests created', `${brokerFigures.created}/${brokerFigures.requests}`, `${naiveFigures.created}/${naiveFigures.requests}`, undefined],
    ['share created', formatNumber(brokerFigures.createdShare, 3), formatNumber(naiveFigures.createdShare, 3), formatNumber(ratios.createdShare, 2)],
    ['CreateApp calls per app created', formatNumber(brokerFigures.createAppCallsPerCreated, 2), formatNumber(naiveFigures.createAppCallsPerCreated, 2), formatNumber(ratios.createAppCallsPerCreated, 2)],
    ['slot freed -> next creation p50 ms', formatNumber(brokerFigures.freeToCreate.p50Ms, 0), formatNumber(naiveFigures.freeToCreate.p50Ms, 0), formatNumber(ratios.freeToCreateP50, 2)],
    ['slot freed -> next creation p95 ms', formatNumber(brokerFigures.freeToCreate.p95Ms, 0), formatNumber(naiveFigures.freeToCreate.p95Ms, 0), formatNumber(ratios.freeToCreateP95, 2)],
    ['frees while requests waited (unmatched)', `${brokerFigures.freeToCreate.frees} (${brokerFigures.freeToCreate.unmatched})`, `${naiveFigures.freeToCreate.frees} (${naiveFigures.freeToCreate.unmatched})`, undefined],
    ['idle slot-seconds while requests waited', formatNumber(brokerFigures.idleSlotSeconds), formatNumber(naiveFigures.idleSlotSeconds), formatNumber(ratios.idleSlotSeconds, 2)],
    ['  of which a waiting domain was under quota', formatNumber(brokerFigures.idleAdmissibleSlotSeconds), formatNumber(naiveFigures.idleAdmissibleSlotSeconds), undefined],
    ['submit -> created p50 / p95 s', pair((brokerFigures.submitToCreated.p50Ms ?? NaN) / 1000, (brokerFigures.submitToCreated.p95Ms ?? NaN) / 1000, 1), pair((naiveFigures.submitToCreated.p50Ms ?? NaN) / 1000, (naiveFigures.submitToCreated.p95Ms ?? NaN) / 1000, 1), undefined],
    ['run length s', formatNumber(brokerFigures.runSeconds), formatNumber(naiveFigures.runSeconds), undefined],
    ["Jain's index of held / fair share", formatNumber(brokerFigures.jainIndex, 3), formatNumber(naiveFigures.jainIndex, 3), formatNumber(ratios.jainIndex, 2)],
  ]);
  const domainRows = brokerFigures.domains.map((domain, index) => {
    const naiveDomain = naiveFigures.domains[index];
    return [
      domain.domainId,
      domain.requests,
      `${domain.created} / ${naiveDomain?.created ?? 'n/a'}`,
      `${formatNumber(domain.creationShare, 3)} / ${formatNumber(naiveDomain?.creationShare, 3)}`,
      `${formatNumber(domain.heldToEntitled, 2)} / ${formatNumber(naiveDomain?.heldToEntitled, 2)}`,
    ];
  });
  const domains = renderTable('Per domain (broker / naive)', ['domain', 'requests', 'created', 'share of creations', 'held / fair share'], domainRows);
  const states = Object.entries(broker.finalStates).map(([state, count]) => `${state}=${count}`).join(', ');
  const requestCost = formatNumber(Object.values(broker.requestsPerCreatedApp).reduce((sum, value) => sum + value, 0), 2);
  const costRows = Object.entries(broker.requestsPerCreatedApp).map(([operation, perApp]) => [operation, formatNumber(perApp, 2)]);
  const cost = renderTable(`Broker AWS requests per created app under contention (worker, pollers and reconciler): ${requestCost}`, ['service.operation', 'per app'], costRows);
  const notes = [
    `Broker final states: ${states}; not settled: ${broker.unsettled}; reconciler runs: ${broker.reconciler.runs}, errors: ${broker.reconciler.errors.length}`,
    `Naive errors other than ResourceLimitExceeded: ${JSON.stringify(naive.otherErrors)}`,
  ];
  return `${summary}\n\n${domains}\n${notes.join('\n')}\n\n${cost}`;
}

export function renderDataScale(steps: DataScaleStep[]): string {
  const rows = steps.map((step) => [
    step.storedRequests,
    step.seedSeconds,
    `${formatNumber(step.submitLatency.p50Ms)} / ${formatNumber(step.submitLatency.p95Ms)}`,
    `${formatNumber(step.workerLatency.p50Ms)} / ${formatNumber(step.workerLatency.p95Ms)}`,
    `${formatNumber(step.reconcileSettle.milliseconds, 0)} (${step.reconcileSettle.summary.ready} READY)`,
    `${formatNumber(step.reconcileRelease.milliseconds, 0)} (${step.reconcileRelease.summary.slotsReleased} freed)`,
  ]);
  const probe = steps[0]?.submitLatency.count ?? 0;
  return renderTable(
    `3. Scale of the data path (${probe} requests submitted and worked one at a time per step)`,
    ['seeded requests', 'seed s', 'submit p50 / p95 ms', 'worker p50 / p95 ms', 'reconciler settle ms', 'reconciler release ms'],
    rows,
  );
}
