import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensurePackaged, FUNCTION_IDS, projectRoot, type FunctionName } from './stack';

beforeAll(async () => {
  await ensurePackaged();
});

const BUNDLE_DIRECTORIES: Record<FunctionName, string> = {
  submit: 'functions/submit',
  worker: 'functions/worker',
  reconciler: 'functions/reconciler',
  deadLetter: 'functions/dead-letter',
};

interface Metafile {
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
}

/** Bytes that each input file contributes to a function's bundle, from esbuild's metafile. */
function bundledBytesByInput(name: FunctionName): Map<string, number> {
  const metafilePath = join(projectRoot, '.esbuild/.build', BUNDLE_DIRECTORIES[name], 'handler-meta.json');
  const metafile = JSON.parse(readFileSync(metafilePath, 'utf8')) as Metafile;
  const bundle = Object.entries(metafile.outputs).find(([outputPath]) => outputPath.endsWith('.mjs'));
  if (bundle === undefined) throw new Error(`No .mjs output in ${metafilePath}`);

  return new Map(Object.entries(bundle[1].inputs).map(([input, { bytesInOutput }]) => [input, bytesInOutput]));
}

function sageMakerInputs(name: FunctionName): string[] {
  return [...bundledBytesByInput(name)]
    .filter(([input, bytes]) => input.includes('node_modules/@aws-sdk/client-sagemaker/') && bytes > 0)
    .map(([input]) => input.slice(input.indexOf('@aws-sdk/client-sagemaker/')));
}

function zipEntries(name: FunctionName): string[] {
  const listing = execFileSync('unzip', ['-Z1', join(projectRoot, '.serverless', `${name}.zip`)], { encoding: 'utf8' });
  return listing.trim().split('\n').sort();
}

describe('function bundles', () => {
  it('keep the SageMaker client out of the submit bundle', () => {
    // The request schema takes its AppType and InstanceType enums from the SDK's enums module,
    // which contains data only. The client, its commands and its protocol code must stay out.
    expect(sageMakerInputs('submit').filter((input) => input !== '@aws-sdk/client-sagemaker/dist-es/models/enums.js')).toEqual([]);
  });

  it('include the SageMaker client in the worker bundle', () => {
    expect(sageMakerInputs('worker')).toContain('@aws-sdk/client-sagemaker/dist-es/SageMakerClient.js');
  });

  it('bundle the AWS SDK instead of using the runtime copy', () => {
    const submitInputs = [...bundledBytesByInput('submit').keys()];

    expect(submitInputs.some((input) => input.includes('node_modules/@aws-sdk/client-dynamodb/'))).toBe(true);
    expect(submitInputs.some((input) => input.includes('node_modules/@aws-sdk/client-sqs/'))).toBe(true);
  });

  for (const name of Object.keys(FUNCTION_IDS) as FunctionName[]) {
    it(`zip ${name} as one ESM bundle with its source map`, () => {
      const directory = BUNDLE_DIRECTORIES[name];

      expect(zipEntries(name)).toEqual([`${directory}/handler.mjs`, `${directory}/handler.mjs.map`]);
    });
  }
});
