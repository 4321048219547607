/**
 * A demo of the broker on the local engines: three domains submit a dozen requests while the
 * account allows only two KernelGateway apps on ml.g5.xlarge, and simulated users delete their
 * apps a few seconds after they start. A live table shows every request until all are final.
 *
 *   npm run demo
 */
import { randomUUID } from 'node:crypto';
import type { RequestView } from '../functions/requests/model';

// Set before the broker's modules load: the SDK clients need some credentials (the local engines
// accept any), and the table is easier to watch without the functions' logs and metrics.
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
process.env.AWS_REGION ??= 'us-east-1';
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const { reconcile } = await import('../functions/reconciler/reconcile');
const { httpJson, startTestBroker } = await import('../test/support/broker');

const GPU = 'ml.g5.xlarge';
const FINAL_STATES = new Set(['READY', 'FAILED', 'CANCELLED']);
const DEMO_TIMEOUT_MS = 5 * 60_000;

interface DemoRequest {
  label: string;
  input: Record<string, unknown>;
  requestId?: string;
  submittedAtEpochMs?: number;
  view?: RequestView;
  deleteAfterEpochMs?: number;
}

function kernelGateway(domainId: string, user: string, appName: string, instanceType: string): Record<string, unknown> {
  return { DomainId: domainId, UserProfileName: user, AppType: 'KernelGateway', AppName: appName, ResourceSpec: { InstanceType: instanceType } };
}

function demoRequests(): DemoRequest[] {
  const requests: DemoRequest[] = [];
  const teams = [
    { domainId: 'd-vision', gpu: 3, cpu: 1 },
    { domainId: 'd-fraud', gpu: 2, cpu: 2 },
    { domainId: 'd-search', gpu: 2, cpu: 1 },
  ];
  for (const team of teams) {
    for (let index = 1; index <= team.gpu; index += 1) requests.push({ label: `${team.domainId} gpu-${index}`, input: kernelGateway(team.domainId, `user-${index}`, `pytorch-gpu-${index}`, GPU) });
    for (let index = 1; index <= team.cpu; index += 1) requests.push({ label: `${team.domainId} cpu-${index}`, input: kernelGateway(team.domainId, `user-${index}`, `datascience-${index}`, 'ml.t3.medium') });
  }
  requests.push({ label: 'd-search p4d (no quota)', input: kernelGateway('d-search', 'user-9', 'llm-train-1', 'ml.p4d.24xlarge') });
  return requests;
}

function formatSeconds(milliseconds: number | undefined): string {
  return milliseconds === undefined ? '' : `${(milliseconds / 1000).toFixed(1)} s`;
}

function render(requests: DemoRequest[], startedAtEpochMs: number): string {
  const lines = [`Studio App Broker demo: ${GPU} account limit 2, elapsed ${formatSeconds(Date.now() - startedAtEpochMs)}`, ''];
  lines.push(`${'request'.padEnd(26)}${'state'.padEnd(11)}${'attempts'.padEnd(10)}note`);
  for (const request of requests) {
    const view = request.view;
    const note = view?.failure ? `${view.failure.reason}` : view?.lastError && !FINAL_STATES.has(view.state) ? `${view.lastError.errorName}` : (view?.appArn?.split('/').pop() ?? '');
    lines.push(`${request.label.padEnd(26)}${(view?.state ?? '-').padEnd(11)}${String(view?.attempts ?? 0).padEnd(10)}${note}`);
  }
  return lines.join('\n');
}

function percentile(values: number[], fraction: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

async function main(): Promise<void> {
  const broker = await startTestBroker({
    simulator: { limits: { [`KernelGateway/${GPU}`]: 2, 'KernelGateway/ml.p4d.24xlarge': 0 }, startupDelayMs: 2_000, deleteDelayMs: 1_000 },
    env: { RETRY_BASE_SECONDS: '1', RETRY_CAP_SECONDS: '4', TRANSIENT_RETRY_SECONDS: '1' },
  });
  const workers = broker.startWorkers(2, 10);
  const requests = demoRequests();
  const startedAtEpochMs = Date.now();
  const isTerminal = process.stdout.isTTY;

  try {
    for (const request of requests) {
      const response = await httpJson(broker.http.url, 'POST', '/apps', request.input, { 'idempotency-key': randomUUID() });
      request.requestId = response.body.requestId;
      request.submittedAtEpochMs = Date.now();
    }

    while (Date.now() - startedAtEpochMs < DEMO_TIMEOUT_MS) {
      for (const request of requests) {
        request.view = (await httpJson(broker.http.url, 'GET', `/requests/${request.requestId}`)).body;
        await deleteWhenDone(broker, request);
      }
      await reconcile(broker.workerDeps, { now: Date.now, stopAtEpochMs: Date.now() + 5_000, maxPages: 10 });

      const screen = render(requests, startedAtEpochMs);
      process.stdout.write(isTerminal ? `\x1b[2J\x1b[H${screen}\n` : '');
      if (requests.every((request) => FINAL_STATES.has(request.view?.state ?? ''))) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    if (!isTerminal) console.log(render(requests, startedAtEpochMs));
    console.log(`\n${summary(requests, broker.stack.simulator.callCounts())}`);
  } finally {
    await workers.stop();
    await broker.stop();
  }
}

/** Deletes each app 3 to 8 seconds after it is in service, as a person in Studio would. */
async function deleteWhenDone(broker: Awaited<ReturnType<typeof startTestBroker>>, request: DemoRequest): Promise<void> {
  if (request.view?.state !== 'READY' || request.deleteAfterEpochMs === -1) return;
  request.deleteAfterEpochMs ??= Date.now() + 3_000 + Math.random() * 5_000;
  if (Date.now() < request.deleteAfterEpochMs) return;

  const input = request.input as { DomainId: string; UserProfileName: string; AppType: string; AppName: string };
  broker.stack.simulator.deleteApp({ DomainId: input.DomainId, UserProfileName: input.UserProfileName, AppType: input.AppType, AppName: input.AppName });
  request.deleteAfterEpochMs = -1;
}

function summary(requests: DemoRequest[], callCounts: Record<string, number>): string {
  const created = requests.filter((request) => request.view?.appArn !== undefined);
  const failed = requests.filter((request) => request.view?.state === 'FAILED');
  const waits = created.map((request) => {
    const createdEntry = request.view?.history.find((entry) => entry.outcome === 'CREATED' || entry.outcome === 'ADOPTED');
    return (createdEntry?.atEpochMs ?? 0) - (request.view?.createdAtEpochMs ?? 0);
  });
  const reasons = failed.map((request) => `  ${request.label}: ${request.view?.failure?.reason} - ${request.view?.failure?.message}`);
  return [
    'Summary',
    `  requests submitted         ${requests.length}`,
    `  apps created               ${created.length}`,
    `  failed                     ${failed.length}`,
    ...reasons,
    `  wait submit to CREATED     median ${formatSeconds(percentile(waits, 0.5))}, max ${formatSeconds(Math.max(0, ...waits))}`,
    `  CreateApp calls made       ${callCounts.CreateApp ?? 0} (${((callCounts.CreateApp ?? 0) / Math.max(1, created.length)).toFixed(2)} per app created)`,
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error('The demo failed:', error);
  process.exit(1);
});
