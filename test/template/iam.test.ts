import { beforeAll, describe, expect, it } from 'vitest';
import {
  actionsOf,
  ensurePackaged,
  FUNCTION_IDS,
  loadTemplate,
  resource,
  resourcesOf,
  resourcesOfType,
  roleIdOf,
  roleStatements,
  type FunctionName,
  type Json,
  type PolicyStatement,
  type Template,
} from './stack';

let template: Template;

beforeAll(async () => {
  await ensurePackaged();
  template = loadTemplate();
});

const getAtt = (logicalId: string, attribute = 'Arn'): Json => ({ 'Fn::GetAtt': [logicalId, attribute] });
const indexesOf = (tableId: string): Json => ({ 'Fn::Sub': `\${${tableId}.Arn}/index/*` });
const SAGEMAKER_APPS = { 'Fn::Sub': 'arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:app/*' };

interface ExpectedStatement {
  actions: string[];
  resources: Json[];
}

const logsOf = (logGroupId: string): ExpectedStatement => ({
  actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  resources: [getAtt(logGroupId)],
});
const XRAY: ExpectedStatement = { actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], resources: ['*'] };
const OUTCOME_EVENTS: ExpectedStatement = { actions: ['events:PutEvents'], resources: [getAtt('EventBus')] };

/** The complete policy of each function's role, statement by statement (actions sorted). */
const EXPECTED_POLICIES: Record<FunctionName, Record<string, ExpectedStatement>> = {
  submit: {
    OwnLogGroup: logsOf('SubmitLogGroup'),
    XRayTraces: XRAY,
    RequestsTable: {
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      resources: [getAtt('RequestsTable'), indexesOf('RequestsTable')],
    },
    QuotasTable: { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [getAtt('QuotasTable')] },
    IdempotencyTable: {
      actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [getAtt('IdempotencyTable')],
    },
    WorkQueueSend: { actions: ['sqs:SendMessage'], resources: [getAtt('WorkQueue')] },
    OutcomeEvents: OUTCOME_EVENTS,
  },
  worker: {
    OwnLogGroup: logsOf('WorkerLogGroup'),
    XRayTraces: XRAY,
    RequestsTable: { actions: ['dynamodb:UpdateItem'], resources: [getAtt('RequestsTable')] },
    QuotasTable: {
      actions: ['dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [getAtt('QuotasTable')],
    },
    WorkQueue: {
      actions: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:SendMessage'],
      resources: [getAtt('WorkQueue')],
    },
    OutcomeEvents: OUTCOME_EVENTS,
    SageMakerApps: {
      actions: ['sagemaker:AddTags', 'sagemaker:CreateApp', 'sagemaker:DescribeApp', 'sagemaker:ListTags'],
      resources: [SAGEMAKER_APPS],
    },
  },
  reconciler: {
    OwnLogGroup: logsOf('ReconcilerLogGroup'),
    XRayTraces: XRAY,
    RequestsTable: {
      actions: ['dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      resources: [getAtt('RequestsTable'), indexesOf('RequestsTable')],
    },
    QuotasTable: {
      actions: ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:UpdateItem'],
      resources: [getAtt('QuotasTable')],
    },
    WorkQueueSend: { actions: ['sqs:SendMessage'], resources: [getAtt('WorkQueue')] },
    OutcomeEvents: OUTCOME_EVENTS,
    SageMakerApps: { actions: ['sagemaker:DescribeApp', 'sagemaker:ListTags'], resources: [SAGEMAKER_APPS] },
    SageMakerListApps: { actions: ['sagemaker:ListApps'], resources: ['*'] },
  },
  deadLetter: {
    OwnLogGroup: logsOf('DeadLetterLogGroup'),
    XRayTraces: XRAY,
    DeadLetterQueue: {
      actions: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
      resources: [getAtt('DeadLetterQueue')],
    },
    RequestsTable: { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [getAtt('RequestsTable')] },
    QuotasTable: { actions: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'], resources: [getAtt('QuotasTable')] },
    OutcomeEvents: OUTCOME_EVENTS,
    SageMakerApps: { actions: ['sagemaker:DescribeApp', 'sagemaker:ListTags'], resources: [SAGEMAKER_APPS] },
  },
};

const FUNCTION_NAMES = Object.keys(FUNCTION_IDS) as FunctionName[];

function statementsOf(name: FunctionName): PolicyStatement[] {
  return roleStatements(template, roleIdOf(template, name));
}

function allRoleStatements(): [string, PolicyStatement][] {
  return resourcesOfType(template, 'AWS::IAM::Role').flatMap(([roleId]) =>
    roleStatements(template, roleId).map((statement): [string, PolicyStatement] => [roleId, statement]),
  );
}

describe('function roles', () => {
  it('gives each function a role of its own', () => {
    const roleIds = FUNCTION_NAMES.map((name) => roleIdOf(template, name));

    expect(new Set(roleIds).size).toBe(FUNCTION_NAMES.length);
  });

  it('creates no shared serverless execution role', () => {
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('lets only Lambda assume the function roles', () => {
    for (const name of FUNCTION_NAMES) {
      const trust = resource(template, roleIdOf(template, name)).Properties.AssumeRolePolicyDocument.Statement;

      expect(trust).toEqual([{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    }
  });

  it('attaches no managed policies', () => {
    for (const [roleId, role] of resourcesOfType(template, 'AWS::IAM::Role')) {
      expect(role.Properties.ManagedPolicyArns, roleId).toBeUndefined();
    }
  });

  for (const name of FUNCTION_NAMES) {
    it(`grants ${name} exactly its listed statements`, () => {
      const statements = statementsOf(name);
      const actual = Object.fromEntries(
        statements.map((statement) => [statement.Sid, { actions: actionsOf(statement), resources: resourcesOf(statement) }]),
      );

      expect(statements.every((statement) => statement.Effect === 'Allow')).toBe(true);
      expect(statements.map((statement) => statement.Sid).sort()).toEqual(Object.keys(EXPECTED_POLICIES[name]).sort());
      expect(actual).toEqual(EXPECTED_POLICIES[name]);
    });
  }
});

describe('least privilege', () => {
  it('never grants a wildcard action', () => {
    for (const [roleId, statement] of allRoleStatements()) {
      for (const action of actionsOf(statement)) {
        expect(action, `${roleId} ${statement.Sid}`).not.toContain('*');
      }
    }
  });

  it('uses Resource * only for X-Ray and ListApps', () => {
    const wildcardStatements = allRoleStatements().filter(([, statement]) => resourcesOf(statement).includes('*'));

    for (const [roleId, statement] of wildcardStatements) {
      const actions = actionsOf(statement);
      const isXRay = actions.join() === 'xray:PutTelemetryRecords,xray:PutTraceSegments';
      const isListApps = actions.join() === 'sagemaker:ListApps';
      expect(isXRay || isListApps, `${roleId} ${statement.Sid} has Resource '*'`).toBe(true);
    }
  });

  it('keeps ListApps to the stack region', () => {
    const listApps = statementsOf('reconciler').find((statement) => statement.Sid === 'SageMakerListApps');

    expect(listApps?.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } } });
  });

  it('gives the submit function no SageMaker action', () => {
    const actions = statementsOf('submit').flatMap(actionsOf);

    expect(actions.filter((action) => action.startsWith('sagemaker:'))).toEqual([]);
  });

  it('grants only the five broker SageMaker actions', () => {
    const allowed = ['sagemaker:AddTags', 'sagemaker:CreateApp', 'sagemaker:DescribeApp', 'sagemaker:ListApps', 'sagemaker:ListTags'];
    const granted = allRoleStatements().flatMap(([, statement]) => actionsOf(statement)).filter((action) => action.startsWith('sagemaker:'));

    expect(granted.filter((action) => !allowed.includes(action))).toEqual([]);
  });

  it('gives CreateApp only to the worker', () => {
    const holders = FUNCTION_NAMES.filter((name) => statementsOf(name).flatMap(actionsOf).includes('sagemaker:CreateApp'));

    expect(holders).toEqual(['worker']);
  });
});

describe('scheduler role', () => {
  it('lets the scheduler invoke only the submit function', () => {
    const role = resource(template, 'SubmitSchedulerRole');
    const statements = roleStatements(template, 'SubmitSchedulerRole');

    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
    expect(statements.map(actionsOf)).toEqual([['lambda:InvokeFunction']]);
    expect(statements.map(resourcesOf)).toEqual([[getAtt(FUNCTION_IDS.submit)]]);
  });
});
