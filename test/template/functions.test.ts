import { directInvocationSchema } from '../../functions/submit/contract';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAppRequestSchema } from '../../functions/requests/schema';
import { ensurePackaged, FUNCTION_IDS, lambdaFunction, loadTemplate, projectRoot, resource, resourcesOfType, type FunctionName, type Template } from './stack';

let template: Template;

beforeAll(async () => {
  await ensurePackaged();
  template = loadTemplate();
});

const FUNCTION_NAMES = Object.keys(FUNCTION_IDS) as FunctionName[];

const HANDLERS: Record<FunctionName, string> = {
  submit: 'functions/submit/handler.handler',
  worker: 'functions/worker/handler.handler',
  reconciler: 'functions/reconciler/handler.handler',
  deadLetter: 'functions/dead-letter/handler.handler',
};

/** Variables that config.ts reads but the deployment must not set. Lambda sets AWS_REGION, and the local stack sets the endpoints. */
const NOT_DEPLOYED = new Set(['AWS_REGION', 'DYNAMODB_ENDPOINT', 'SQS_ENDPOINT', 'SAGEMAKER_ENDPOINT', 'EVENTBRIDGE_ENDPOINT', 'LOCAL_CALLER_ARN']);

/** Finds the environment variable names that functions/shared/config.ts reads in its source. */
function variablesReadByConfig(): string[] {
  const source = readFileSync(join(projectRoot, 'functions/shared/config.ts'), 'utf8');
  const quoted = [...source.matchAll(/\(env, '([A-Z][A-Z0-9_]*)'/g)].map((match) => match[1]!);
  const dotted = [...source.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]!);
  return [...new Set([...quoted, ...dotted])].sort();
}

describe('functions', () => {
  it('deploys the four broker functions', () => {
    const functionIds = resourcesOfType(template, 'AWS::Lambda::Function').map(([logicalId]) => logicalId);

    expect(functionIds.sort()).toEqual(Object.values(FUNCTION_IDS).sort());
  });

  for (const name of FUNCTION_NAMES) {
    describe(name, () => {
      it('runs its handler on Node.js 22 arm64', () => {
        const properties = lambdaFunction(template, name).Properties;

        expect(properties.Handler).toBe(HANDLERS[name]);
        expect(properties.Runtime).toBe('nodejs22.x');
        expect(properties.Architectures).toEqual(['arm64']);
      });

      it('sets memory and timeout explicitly', () => {
        const properties = lambdaFunction(template, name).Properties;

        expect(properties.MemorySize).toBeGreaterThanOrEqual(256);
        expect(properties.Timeout).toBeGreaterThan(3);
      });

      it('traces with X-Ray', () => {
        expect(lambdaFunction(template, name).Properties.TracingConfig).toEqual({ Mode: 'Active' });
      });

      it('gets every variable that config.ts reads', () => {
        const variables = lambdaFunction(template, name).Properties.Environment.Variables;
        const expected = variablesReadByConfig().filter((variable) => !NOT_DEPLOYED.has(variable));

        expect(expected.length).toBeGreaterThan(10);
        expect(Object.keys(variables).filter((variable) => expected.includes(variable)).sort()).toEqual(expected);
      });

      it('gets the Powertools settings', () => {
        const variables = lambdaFunction(template, name).Properties.Environment.Variables;

        expect(variables.POWERTOOLS_SERVICE_NAME).toBe('studio-app-broker-ci');
        expect(variables.POWERTOOLS_METRICS_NAMESPACE).toBe('StudioAppBroker');
        expect(variables.LOG_LEVEL).toBe('INFO');
      });

      it('sets no local endpoint', () => {
        const variables = lambdaFunction(template, name).Properties.Environment.Variables;

        expect(Object.keys(variables).filter((variable) => NOT_DEPLOYED.has(variable))).toEqual([]);
      });

      it('writes to a log group with retention', () => {
        const logGroup = resource(template, `${FUNCTION_IDS[name].replace('LambdaFunction', '')}LogGroup`);

        expect(logGroup.Properties.RetentionInDays).toBeGreaterThan(0);
      });
    });
  }

  it('points the functions at this stack', () => {
    const variables = lambdaFunction(template, 'worker').Properties.Environment.Variables;

    expect(variables.REQUESTS_TABLE_NAME).toBe(resource(template, 'RequestsTable').Properties.TableName);
    expect(variables.QUOTAS_TABLE_NAME).toBe(resource(template, 'QuotasTable').Properties.TableName);
    expect(variables.IDEMPOTENCY_TABLE_NAME).toBe(resource(template, 'IdempotencyTable').Properties.TableName);
    expect(variables.WORK_QUEUE_URL).toEqual({ Ref: 'WorkQueue' });
    expect(variables.DEAD_LETTER_QUEUE_URL).toEqual({ Ref: 'DeadLetterQueue' });
    expect(variables.EVENT_BUS_NAME).toBe(resource(template, 'EventBus').Properties.Name);
  });

  it('gives the worker room for SageMaker retries', () => {
    const properties = lambdaFunction(template, 'worker').Properties;

    expect(Number(properties.Environment.Variables.SAGEMAKER_MAX_ATTEMPTS)).toBeLessThanOrEqual(3);
    expect(properties.Timeout).toBeGreaterThanOrEqual(60);
  });

  it('ends a reconciler run before the next one starts', () => {
    expect(lambdaFunction(template, 'reconciler').Properties.Timeout).toBeLessThan(60);
  });
});

describe('schedules', () => {
  it('runs the reconciler every minute', () => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule').filter(
      ([, rule]) => rule.Properties.Targets[0].Arn['Fn::GetAtt']?.[0] === FUNCTION_IDS.reconciler,
    );

    expect(rules).toHaveLength(1);
    expect(rules[0]![1].Properties.ScheduleExpression).toBe('rate(1 minute)');
    expect(rules[0]![1].Properties.State).toBe('ENABLED');
  });

  it('ships the weekday example schedule disabled', () => {
    const schedules = resourcesOfType(template, 'AWS::Scheduler::Schedule');

    expect(schedules).toHaveLength(1);
    const properties = schedules[0]![1].Properties;
    expect(properties.State).toBe('DISABLED');
    expect(properties.ScheduleExpression).toBe('cron(0 8 ? * MON-FRI *)');
    expect(properties.Target.Arn).toEqual({ 'Fn::GetAtt': [FUNCTION_IDS.submit, 'Arn'] });
    expect(properties.Target.RoleArn).toEqual({ 'Fn::GetAtt': ['SubmitSchedulerRole', 'Arn'] });
  });

  it('sends a valid CreateApp request in the example', () => {
    const input = JSON.parse(resourcesOfType(template, 'AWS::Scheduler::Schedule')[0]![1].Properties.Target.Input);

    expect(directInvocationSchema.safeParse(input).success).toBe(true);
    expect(createAppRequestSchema.safeParse(input.request).success).toBe(true);
  });

  it('keys the example by its scheduled time', () => {
    const input = JSON.parse(resourcesOfType(template, 'AWS::Scheduler::Schedule')[0]![1].Properties.Target.Input);

    expect(input.idempotencyKey).toBe('<aws.scheduler.scheduled-time>');
  });
});

describe('event bus and outputs', () => {
  it('names the bus after service and stage', () => {
    expect(resource(template, 'EventBus').Properties.Name).toBe('studio-app-broker-ci');
  });

  it('outputs the API URL, bus, queue and tables', () => {
    for (const output of ['HttpApiUrl', 'EventBusName', 'WorkQueueUrl', 'RequestsTableName', 'QuotasTableName', 'IdempotencyTableName']) {
      expect(template.Outputs[output], output).toBeDefined();
    }
    expect(template.Outputs.EventBusName!.Value).toEqual({ Ref: 'EventBus' });
    expect(template.Outputs.WorkQueueUrl!.Value).toEqual({ Ref: 'WorkQueue' });
    expect(template.Outputs.RequestsTableName!.Value).toEqual({ Ref: 'RequestsTable' });
  });
});
