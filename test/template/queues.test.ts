import { beforeAll, describe, expect, it } from 'vitest';
import { ensurePackaged, FUNCTION_IDS, lambdaFunction, loadTemplate, resource, resourcesOfType, type Resource, type Template } from './stack';

let template: Template;

beforeAll(async () => {
  await ensurePackaged();
  template = loadTemplate();
});

function eventSourceOf(functionId: string): Resource {
  const mappings = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').filter(
    ([, mapping]) => mapping.Properties.FunctionName?.['Fn::GetAtt']?.[0] === functionId,
  );
  expect(mappings).toHaveLength(1);
  return mappings[0]![1];
}

describe('work queue', () => {
  it('hides a message for at least six worker timeouts', () => {
    const visibilityTimeoutSeconds = resource(template, 'WorkQueue').Properties.VisibilityTimeout;
    const workerTimeoutSeconds = lambdaFunction(template, 'worker').Properties.Timeout;

    expect(workerTimeoutSeconds).toBeGreaterThan(0);
    expect(visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * workerTimeoutSeconds);
  });

  it('redrives to the dead-letter queue after five receives or more', () => {
    const redrive = resource(template, 'WorkQueue').Properties.RedrivePolicy;

    expect(redrive.deadLetterTargetArn).toEqual({ 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] });
    expect(Number(redrive.maxReceiveCount)).toBeGreaterThanOrEqual(5);
  });

  it('encrypts messages at rest', () => {
    expect(resource(template, 'WorkQueue').Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('keeps messages longer than the default request deadline', () => {
    const retentionSeconds = resource(template, 'WorkQueue').Properties.MessageRetentionPeriod;
    const deadlineSeconds = Number(lambdaFunction(template, 'worker').Properties.Environment.Variables.REQUEST_DEADLINE_SECONDS);

    expect(retentionSeconds).toBeGreaterThan(deadlineSeconds);
  });
});

describe('dead-letter queue', () => {
  it('keeps messages for 14 days', () => {
    expect(resource(template, 'DeadLetterQueue').Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('hides a message for at least six deadLetter timeouts', () => {
    const visibilityTimeoutSeconds = resource(template, 'DeadLetterQueue').Properties.VisibilityTimeout;
    const timeoutSeconds = lambdaFunction(template, 'deadLetter').Properties.Timeout;

    expect(visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * timeoutSeconds);
  });

  it('accepts redrives from the work queue only', () => {
    const policy = resource(template, 'DeadLetterQueue').Properties.RedriveAllowPolicy;

    expect(policy.redrivePermission).toBe('byQueue');
    expect(policy.sourceQueueArns).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:studio-app-broker-ci-work' },
    ]);
    expect(resource(template, 'WorkQueue').Properties.QueueName).toBe('studio-app-broker-ci-work');
  });

  it('encrypts messages at rest', () => {
    expect(resource(template, 'DeadLetterQueue').Properties.SqsManagedSseEnabled).toBe(true);
  });
});

describe('worker event source', () => {
  it('reads the work queue', () => {
    expect(eventSourceOf(FUNCTION_IDS.worker).Properties.EventSourceArn).toEqual({ 'Fn::GetAtt': ['WorkQueue', 'Arn'] });
  });

  it('reports batch item failures', () => {
    expect(eventSourceOf(FUNCTION_IDS.worker).Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('takes batches of 10', () => {
    expect(eventSourceOf(FUNCTION_IDS.worker).Properties.BatchSize).toBe(10);
  });

  it('caps concurrent invocations for SageMaker rate limits', () => {
    const maximumConcurrency = eventSourceOf(FUNCTION_IDS.worker).Properties.ScalingConfig?.MaximumConcurrency;

    expect(maximumConcurrency).toBeGreaterThanOrEqual(2);
    expect(maximumConcurrency).toBeLessThanOrEqual(10);
  });
});

describe('deadLetter event source', () => {
  it('reads the dead-letter queue', () => {
    expect(eventSourceOf(FUNCTION_IDS.deadLetter).Properties.EventSourceArn).toEqual({ 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] });
  });

  it('reports batch item failures', () => {
    expect(eventSourceOf(FUNCTION_IDS.deadLetter).Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('is the only other SQS consumer', () => {
    const consumers = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').map(([, mapping]) => mapping.Properties.FunctionName['Fn::GetAtt'][0]);

    expect(consumers.sort()).toEqual([FUNCTION_IDS.deadLetter, FUNCTION_IDS.worker].sort());
  });
});
