import { mkdirSync, writeFileSync } from 'node:fs';
import { runDataScale, type DataScaleSettings } from './data-scale';
import { machineFacts } from './machine';
import { runPathCost, type PathCostSettings } from './path-cost';
import { renderDataScale, renderPathCost, renderScarceCapacity } from './report';
import { runScarceCapacity } from './scarce-capacity';
import type { ScarceSettings } from './scarce-scenario';

interface BenchSettings {
  pathCost: PathCostSettings;
  scarceCapacity: ScarceSettings;
  dataScale: DataScaleSettings;
}

/** Returns the counts of each part. A full run took about 8 minutes on a 2-core machine, and quick mode about 2. */
function settingsFor(quick: boolean): BenchSettings {
  return {
    pathCost: {
      requests: quick ? 200 : 2000,
      latencyRequests: quick ? 50 : 300,
      concurrency: 16,
      workerPollers: 4,
      batchSize: 10,
      domains: 50,
      timeoutMs: quick ? 60_000 : 300_000,
    },
    scarceCapacity: {
      requests: quick ? 40 : 200,
      capacity: 4,
      appType: 'KernelGateway',
      instanceType: 'ml.g5.xlarge',
      domainWeights: [0.6, 0.1, 0.1, 0.1, 0.1],
      domainQuota: 2,
      meanInterArrivalMs: 250,
      lifetimeMinMs: 1000,
      lifetimeMaxMs: 4000,
      startupDelayMs: 1000,
      deleteDelayMs: 500,
      reconcilerIntervalMs: 1000,
      retryBaseSeconds: 1,
      retryCapSeconds: 4,
      quotaWaitCapSeconds: 30,
      naiveMaxAttempts: 5,
      naiveFirstDelayMs: 1000,
      timeoutMs: quick ? 120_000 : 480_000,
      seed: 20_240_601,
    },
    dataScale: {
      sizes: quick ? [1000, 5000] : [1000, 10_000, 100_000],
      probeRequests: quick ? 50 : 200,
      timeoutMs: quick ? 60_000 : 120_000,
    },
  };
}

type PartOutcome<T> = { result: T; seconds: number } | { error: string; seconds: number };

/**
 * Runs one part and prints its tables. A part that throws (a local engine that died, say) is
 * reported with its error and the other parts still run, so one failure does not lose the rest.
 */
async function runPart<T>(run: () => Promise<T>, render: (result: T) => string): Promise<PartOutcome<T>> {
  const startedAtMs = performance.now();
  const seconds = () => (performance.now() - startedAtMs) / 1000;
  try {
    const result = await run();
    console.log(`\n${render(result)}`);
    return { result, seconds: seconds() };
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.log(`\nFailed to run the part: ${message}`);
    return { error: message, seconds: seconds() };
  }
}

function resultOf<T>(outcome: PartOutcome<T>): T | { error: string } {
  return 'result' in outcome ? outcome.result : { error: outcome.error };
}

/** Runs the three benchmarks in turn, prints their tables and writes bench/results/latest.json. */
export async function runBenchmarks(): Promise<void> {
  const quick = process.env.BENCH_QUICK === '1';
  const settings = settingsFor(quick);
  const startedAt = new Date();
  const machine = machineFacts();
  console.log(`Studio App Broker benchmarks${quick ? ' (quick mode)' : ''}, started ${startedAt.toISOString()}`);
  console.log(`Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemoryMiB} MiB, Node.js ${machine.nodeVersion}`);

  const pathCost = await runPart(() => runPathCost(settings.pathCost), renderPathCost);
  const scarceCapacity = await runPart(() => runScarceCapacity(settings.scarceCapacity), renderScarceCapacity);
  const dataScale = await runPart(() => runDataScale(settings.dataScale), renderDataScale);

  const result = {
    startedAt: startedAt.toISOString(),
    quick,
    command: quick ? 'BENCH_QUICK=1 npm run bench' : 'npm run bench',
    machine,
    loadAverageAtEnd: machineFacts().loadAverage,
    wallSeconds: { pathCost: pathCost.seconds, scarceCapacity: scarceCapacity.seconds, dataScale: dataScale.seconds },
    pathCost: resultOf(pathCost),
    scarceCapacity: resultOf(scarceCapacity),
    dataScale: { settings: settings.dataScale, steps: resultOf(dataScale) },
  };
  const resultsUrl = new URL('./results/', import.meta.url);
  mkdirSync(resultsUrl, { recursive: true });
  writeFileSync(new URL('latest.json', resultsUrl), `${JSON.stringify(result, null, 2)}\n`);
  const totalSeconds = pathCost.seconds + scarceCapacity.seconds + dataScale.seconds;
  console.log(`\nWrote bench/results/latest.json after ${totalSeconds.toFixed(0)} s`);
  const failedParts = [pathCost, scarceCapacity, dataScale].filter((outcome) => 'error' in outcome).length;
  if (failedParts > 0) process.exitCode = 1;
}
