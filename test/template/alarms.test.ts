import { beforeAll, describe, expect, it } from 'vitest';
import { ensurePackaged, FUNCTION_IDS, lambdaFunction, loadTemplate, resource, resourcesOfType, type Json, type Resource, type Template } from './stack';

let template: Template;

beforeAll(async () => {
  await ensurePackaged();
  template = loadTemplate();
});

function alarmOn(metricName: string, dimensionValue: Json): Resource {
  const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').filter(
    ([, alarm]) => alarm.Properties.MetricName === metricName && JSON.stringify(alarm.Properties.Dimensions?.[0]?.Value) === JSON.stringify(dimensionValue),
  );
  expect(alarms, `alarms on ${metricName}`).toHaveLength(1);
  return alarms[0]![1];
}

/** Evaluates the template's condition functions with the parameter values serverless substituted. */
function evaluateCondition(condition: Json): boolean {
  if (typeof condition?.Condition === 'string') return evaluateCondition(template.Conditions?.[condition.Condition]);
  if (condition?.['Fn::Equals']) return JSON.stringify(condition['Fn::Equals'][0]) === JSON.stringify(condition['Fn::Equals'][1]);
  if (condition?.['Fn::Not']) return !evaluateCondition(condition['Fn::Not'][0]);
  if (condition?.['Fn::And']) return condition['Fn::And'].every(evaluateCondition);
  if (condition?.['Fn::Or']) return condition['Fn::Or'].some(evaluateCondition);
  throw new Error(`Unsupported condition ${JSON.stringify(condition)}`);
}

describe('alarms', () => {
  it('fires when the dead-letter queue holds a message', () => {
    const alarm = alarmOn('ApproximateNumberOfMessagesVisible', { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] });

    expect(alarm.Properties.Namespace).toBe('AWS/SQS');
    expect(alarm.Properties.ComparisonOperator).toBe('GreaterThanThreshold');
    expect(alarm.Properties.Threshold).toBe(0);
  });

  it('fires when the oldest work message is too old', () => {
    const alarm = alarmOn('ApproximateAgeOfOldestMessage', { 'Fn::GetAtt': ['WorkQueue', 'QueueName'] });

    expect(alarm.Properties.Namespace).toBe('AWS/SQS');
    expect(alarm.Properties.ComparisonOperator).toBe('GreaterThanThreshold');
    expect(alarm.Properties.Threshold).toBeGreaterThan(0);
    expect(alarm.Properties.Threshold).toBeLessThanOrEqual(3600);
  });

  for (const metricName of ['Errors', 'Throttles']) {
    it(`fires on any worker ${metricName}`, () => {
      const alarm = alarmOn(metricName, { Ref: FUNCTION_IDS.worker });

      expect(alarm.Properties.Namespace).toBe('AWS/Lambda');
      expect(alarm.Properties.Dimensions[0].Name).toBe('FunctionName');
      expect(alarm.Properties.Statistic).toBe('Sum');
      expect(alarm.Properties.ComparisonOperator).toBe('GreaterThanThreshold');
      expect(alarm.Properties.Threshold).toBe(0);
    });
  }

  it('counts failed requests per hour from the worker metrics', () => {
    const variables = lambdaFunction(template, 'worker').Properties.Environment.Variables;
    const alarm = alarmOn('RequestsFailed', variables.POWERTOOLS_SERVICE_NAME);

    expect(alarm.Properties.Namespace).toBe(variables.POWERTOOLS_METRICS_NAMESPACE);
    expect(alarm.Properties.Dimensions).toEqual([{ Name: 'service', Value: variables.POWERTOOLS_SERVICE_NAME }]);
    expect(alarm.Properties.Statistic).toBe('Sum');
    expect(alarm.Properties.Period).toBe(3600);
    expect(alarm.Properties.ComparisonOperator).toBe('GreaterThanThreshold');
    expect(alarm.Properties.Threshold).toBeGreaterThan(0);
  });

  it('sends every alarm to the topic when one is configured', () => {
    const expectedActions = { 'Fn::If': ['HasAlarmActions', [{ 'Fn::If': ['HasAlarmTopic', '', { Ref: 'AlarmTopic' }] }], { Ref: 'AWS::NoValue' }] };

    for (const [logicalId, alarm] of resourcesOfType(template, 'AWS::CloudWatch::Alarm')) {
      expect(alarm.Properties.AlarmActions, logicalId).toEqual(expectedActions);
    }
  });
});

describe('alarm topic', () => {
  it('is created only with the alarmEmail condition', () => {
    expect(resource(template, 'AlarmTopic').Condition).toBe('CreatesAlarmTopic');
    expect(template.Conditions?.HasAlarmEmail).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
    expect(template.Conditions?.HasAlarmTopic).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
  });

  it('is absent without alarmEmail and alarmTopic', () => {
    expect(evaluateCondition({ Condition: 'CreatesAlarmTopic' })).toBe(false);
    expect(evaluateCondition({ Condition: 'HasAlarmActions' })).toBe(false);
  });

  it('subscribes the alarm e-mail address', () => {
    const subscriptions = resource(template, 'AlarmTopic').Properties.Subscription;

    expect(subscriptions).toEqual([{ Protocol: 'email', Endpoint: '' }]);
  });
});
