/**
 * Measures each function's bundle: zip size, bundle size and cold initialisation time.
 *
 *   npm run package && npx tsx scripts/measure-bundles.ts [--runs 7]
 *
 * Initialisation time is the time of `import()` of the bundle in a fresh `node` process, the
 * median of several runs, with and without `--enable-source-maps` (the deployed functions set
 * it through NODE_OPTIONS). Configuration variables get dummy values so that module-scope code
 * runs as in Lambda; nothing contacts AWS. Results go to bench/results/bundles.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const projectRoot = resolve(import.meta.dirname, '..');

/** Function name in serverless.yml and the folder of its handler. */
const FUNCTIONS = [
  { name: 'submit', directory: 'functions/submit' },
  { name: 'worker', directory: 'functions/worker' },
  { name: 'reconciler', directory: 'functions/reconciler' },
  { name: 'deadLetter', directory: 'functions/dead-letter' },
] as const;

const DUMMY_ENVIRONMENT: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'measure-bundles',
  AWS_SECRET_ACCESS_KEY: 'measure-bundles',
  REQUESTS_TABLE_NAME: 'studio-app-broker-bench-requests',
  QUOTAS_TABLE_NAME: 'studio-app-broker-bench-quotas',
  IDEMPOTENCY_TABLE_NAME: 'studio-app-broker-bench-idempotency',
  WORK_QUEUE_URL: 'http://127.0.0.1:9/000000000000/studio-app-broker-bench-work',
  DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:9/000000000000/studio-app-broker-bench-dead-letter',
  EVENT_BUS_NAME: 'studio-app-broker-bench',
  POWERTOOLS_SERVICE_NAME: 'studio-app-broker-bench',
  POWERTOOLS_METRICS_NAMESPACE: 'StudioAppBroker',
  LOG_LEVEL: 'WARN',
};

/** Child program: imports the bundle and prints the milliseconds that the import took. */
const IMPORT_PROGRAM = `
const startMs = performance.now();
const module = await import(process.argv[1]);
const elapsedMs = performance.now() - startMs;
if (typeof module.handler !== 'function') throw new Error('The bundle exports no handler function');
process.stdout.write(String(elapsedMs));
`;

interface BundleResult {
  function: string;
  zipBytes: number;
  bundleBytes: number;
  sourceMapBytes: number;
  importMedianMs: number;
  importWithSourceMapsMedianMs: number;
  importSamplesMs: number[];
  importWithSourceMapsSamplesMs: number[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function measureImportMs(bundlePath: string, nodeOptions: string): number {
  const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
  const output = execFileSync(process.execPath, ['--input-type=module', '--no-warnings', '-e', IMPORT_PROGRAM, pathToFileURL(bundlePath).href], {
    env: { ...inherited, ...DUMMY_ENVIRONMENT, NODE_OPTIONS: nodeOptions },
    encoding: 'utf8',
  });
  return Number(output);
}

function measureFunction(name: string, directory: string, runs: number): BundleResult {
  const zipPath = join(projectRoot, '.serverless', `${name}.zip`);
  const bundlePath = join(projectRoot, '.esbuild/.build', directory, 'handler.mjs');
  if (!existsSync(zipPath) || !existsSync(bundlePath)) {
    throw new Error(`Missing ${zipPath} or ${bundlePath}; run \`npm run package\` first`);
  }

  const importSamplesMs: number[] = [];
  const importWithSourceMapsSamplesMs: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    importSamplesMs.push(measureImportMs(bundlePath, ''));
    importWithSourceMapsSamplesMs.push(measureImportMs(bundlePath, '--enable-source-maps'));
  }

  return {
    function: name,
    zipBytes: statSync(zipPath).size,
    bundleBytes: statSync(bundlePath).size,
    sourceMapBytes: statSync(`${bundlePath}.map`).size,
    importMedianMs: Number(median(importSamplesMs).toFixed(1)),
    importWithSourceMapsMedianMs: Number(median(importWithSourceMapsSamplesMs).toFixed(1)),
    importSamplesMs: importSamplesMs.map((sample) => Number(sample.toFixed(1))),
    importWithSourceMapsSamplesMs: importWithSourceMapsSamplesMs.map((sample) => Number(sample.toFixed(1))),
  };
}

function printTable(results: BundleResult[]): void {
  const header = ['function', 'zip bytes', 'bundle bytes', 'import median ms', 'with source maps ms'];
  const rows = results.map((result) => [
    result.function,
    String(result.zipBytes),
    String(result.bundleBytes),
    result.importMedianMs.toFixed(1),
    result.importWithSourceMapsMedianMs.toFixed(1),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const format = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');

  console.log(format(header));
  for (const row of rows) console.log(format(row));
}

function main(): void {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`Invalid --runs '${values.runs}': expected a positive integer`);

  // Other processes on the machine slow every import, so the results record the load average.
  const loadAverage1mBefore = loadavg()[0];
  const results = FUNCTIONS.map(({ name, directory }) => measureFunction(name, directory, runs));
  printTable(results);

  const machine = {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryBytes: totalmem(),
    loadAverage1mBefore,
    loadAverage1mAfter: loadavg()[0],
  };
  const outputPath = join(projectRoot, 'bench/results/bundles.json');
  mkdirSync(join(projectRoot, 'bench/results'), { recursive: true });
  writeFileSync(outputPath, `${JSON.stringify({ measuredAt: new Date().toISOString(), runs, machine, results }, null, 2)}\n`);
  console.log(
    `\n${runs} runs per bundle on ${machine.cpus} CPUs (${machine.cpuModel}), Node.js ${machine.node}, ` +
      `1-minute load ${machine.loadAverage1mBefore?.toFixed(2)} before and ${machine.loadAverage1mAfter?.toFixed(2)} after; written to ${outputPath}`,
  );
}

main();
