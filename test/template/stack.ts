import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, rmdir, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

/** The project's root directory. */
export const projectRoot = resolve(import.meta.dirname, '../..');

export const templatePath = join(projectRoot, '.serverless/cloudformation-template-update-stack.json');

/** The stage that CI packages (`npm run package`). */
export const PACKAGE_STAGE = 'ci';

// CloudFormation JSON is untyped, so the tests read it as plain objects.
export type Json = any;

export interface Resource {
  Type: string;
  Condition?: string;
  Properties: Json;
}

export interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: Json }>;
  Conditions?: Record<string, Json>;
}

const PACKAGE_INPUTS = ['serverless.yml', 'package-lock.json', 'infra/resources', 'functions'];
/** Packaging takes about 5 s on an idle 2-core machine. The margin is for machines busy with other test files. */
const PACKAGE_TIMEOUT_MS = 100_000;
const LOCK_STALE_AFTER_MS = 2 * PACKAGE_TIMEOUT_MS;

async function newestInputMtimeMs(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return 0;
  if (!info.isDirectory()) return info.mtimeMs;

  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newestInputMtimeMs(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

async function packageIsStale(): Promise<boolean> {
  const template = await stat(templatePath).catch(() => undefined);
  if (template === undefined) return true;

  const inputTimes = await Promise.all(PACKAGE_INPUTS.map((input) => newestInputMtimeMs(join(projectRoot, input))));
  return Math.max(...inputTimes) > template.mtimeMs;
}

/**
 * Runs `serverless package` as CI does, without AWS credentials, so a test run also proves that
 * packaging needs none.
 */
async function runPackage(): Promise<void> {
  const env = { ...process.env };
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete env[name];

  const serverlessBin = join(projectRoot, 'node_modules/osls/bin/serverless.js');
  const args = [serverlessBin, 'package', '--stage', PACKAGE_STAGE, '--region', 'us-east-1'];
  try {
    await promisify(execFile)(process.execPath, args, { cwd: projectRoot, env, maxBuffer: 16 * 1024 * 1024, timeout: PACKAGE_TIMEOUT_MS });
  } catch (error) {
    const { stdout, stderr, killed } = error as { stdout?: string; stderr?: string; killed?: boolean };
    const outcome = killed ? `timed out after ${PACKAGE_TIMEOUT_MS / 1000} s` : 'failed';
    throw new Error(`serverless package ${outcome}:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: error });
  }
}

/**
 * Packages the service when serverless.yml, a resource fragment, a function source or the lock
 * file is newer than the template. Test files run in parallel workers, so a lock directory makes
 * one of them package while the others wait.
 */
export async function ensurePackaged(): Promise<void> {
  if (!(await packageIsStale())) return;

  const lockName = `studio-app-broker-package-${createHash('sha256').update(projectRoot).digest('hex').slice(0, 12)}.lock`;
  const lockPath = join(tmpdir(), lockName);
  for (;;) {
    try {
      await mkdir(lockPath);
      break;
    } catch {
      const lock = await stat(lockPath).catch(() => undefined);
      if (lock !== undefined && Date.now() - lock.mtimeMs > LOCK_STALE_AFTER_MS) await rmdir(lockPath).catch(() => {});
      await new Promise((done) => setTimeout(done, 250));
    }
  }

  try {
    if (await packageIsStale()) await runPackage();
  } finally {
    await rmdir(lockPath);
  }
}

export function loadTemplate(): Template {
  return JSON.parse(readFileSync(templatePath, 'utf8')) as Template;
}

export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

export function resource(template: Template, logicalId: string): Resource {
  const found = template.Resources[logicalId];
  if (found === undefined) throw new Error(`Resource ${logicalId} is missing from the template`);
  return found;
}

/** Logical ids that serverless gives the functions of serverless.yml. */
export const FUNCTION_IDS = {
  submit: 'SubmitLambdaFunction',
  worker: 'WorkerLambdaFunction',
  reconciler: 'ReconcilerLambdaFunction',
  deadLetter: 'DeadLetterLambdaFunction',
} as const;

export type FunctionName = keyof typeof FUNCTION_IDS;

export function lambdaFunction(template: Template, name: FunctionName): Resource {
  return resource(template, FUNCTION_IDS[name]);
}

/** Returns the logical id of the IAM role that a function's `Role` property points to. */
export function roleIdOf(template: Template, name: FunctionName): string {
  const role = lambdaFunction(template, name).Properties.Role;
  const getAtt = role?.['Fn::GetAtt'];
  const isRoleOfThisStack = Array.isArray(getAtt) && getAtt[1] === 'Arn';
  if (!isRoleOfThisStack) {
    throw new Error(`Role of function ${name} is not a Fn::GetAtt of a role in this stack: ${JSON.stringify(role)}`);
  }

  return getAtt[0] as string;
}

export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: Json;
  Condition?: Json;
}

/** Collects the statements of all inline policies of a role. */
export function roleStatements(template: Template, roleId: string): PolicyStatement[] {
  const policies: Json[] = resource(template, roleId).Properties.Policies ?? [];
  return policies.flatMap((policy) => policy.PolicyDocument.Statement as PolicyStatement[]);
}

export function actionsOf(statement: PolicyStatement): string[] {
  return (Array.isArray(statement.Action) ? statement.Action : [statement.Action]).slice().sort();
}

export function resourcesOf(statement: PolicyStatement): Json[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}
