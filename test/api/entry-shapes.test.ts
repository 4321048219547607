import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnsupportedEventError } from '../../functions/submit/errors';
import { requestViewSchema } from '../../functions/submit/contract';
import { DIRECT_INVOCATION_CALLER_ARN } from '../../functions/submit/access';
import { startTestBroker, type TestBroker } from '../support/broker';
import { countCalls, directHandler, kernelGatewayRequest, newCallerArn, readFixture, storedRequests } from './helpers';

describe('submit entry shapes', () => {
  let broker: TestBroker;
  let invoke: (event: unknown) => Promise<any>;

  beforeAll(async () => {
    broker = await startTestBroker();
    invoke = directHandler(broker);
  });

  afterAll(async () => {
    await broker?.stop();
  });

  function scheduledEvent(detail: unknown, overrides: Record<string, unknown> = {}) {
    return { ...readFixture('events/eventbridge-scheduled-event.json'), detail, ...overrides };
  }

  async function storedFor(callerArn: string) {
    return (await storedRequests(broker)).filter((request) => request.callerArn === callerArn);
  }

  describe('direct invocation', () => {
    it('submits and returns the HTTP status and body', async () => {
      const callerArn = newCallerArn();
      const request = kernelGatewayRequest();

      const result = await invoke({ action: 'submit', request, callerArn });

      expect(result.statusCode).toBe(202);
      const view = requestViewSchema.parse(result.body);
      expect(view.input).toEqual(request);
      expect((await storedFor(callerArn)).map((stored) => stored.requestId)).toEqual([view.requestId]);
    });

    it('gets, lists and cancels as the named caller', async () => {
      const callerArn = newCallerArn();
      const submitted = await invoke({ action: 'submit', request: kernelGatewayRequest(), callerArn });
      const requestId = submitted.body.requestId;

      const got = await invoke({ action: 'get', requestId, callerArn });
      const listed = await invoke({ action: 'list', callerArn, limit: 5 });
      const hidden = await invoke({ action: 'get', requestId, callerArn: newCallerArn() });
      const cancelled = await invoke({ action: 'cancel', requestId, callerArn });

      expect(got).toEqual({ statusCode: 200, body: submitted.body });
      expect(listed.statusCode).toBe(200);
      expect(listed.body.items.map((item: { requestId: string }) => item.requestId)).toEqual([requestId]);
      expect(hidden.statusCode).toBe(404);
      expect(hidden.body.error.code).toBe('NotFound');
      expect(cancelled.statusCode).toBe(200);
      expect(cancelled.body.state).toBe('CANCELLED');
    });

    it('records direct-invocation as the caller when none is named', async () => {
      const result = await invoke({ action: 'submit', request: kernelGatewayRequest() });

      const stored = (await storedRequests(broker)).find((request) => request.requestId === result.body.requestId);
      expect(stored?.callerArn).toBe(DIRECT_INVOCATION_CALLER_ARN);
    });

    it('honours idempotencyKey like the header', async () => {
      const callerArn = newCallerArn();
      const request = kernelGatewayRequest();

      const first = await invoke({ action: 'submit', request, idempotencyKey: 'job-42', callerArn });
      const repeat = await invoke({ action: 'submit', request, idempotencyKey: 'job-42', callerArn });
      const other = await invoke({ action: 'submit', request: kernelGatewayRequest(), idempotencyKey: 'job-42', callerArn });

      expect(repeat).toEqual(first);
      expect(other.statusCode).toBe(409);
      expect(other.body.error.code).toBe('IdempotencyKeyReused');
      expect(await storedFor(callerArn)).toHaveLength(1);
    });

    it('accepts the Scheduler wrapper without an action', async () => {
      const callerArn = newCallerArn();
      const request = kernelGatewayRequest();
      const wrapper = { request, idempotencyKey: '2026-12-01T08:00:00Z', callerArn };

      const first = await invoke(wrapper);
      const retried = await invoke(wrapper);

      expect(first.statusCode).toBe(202);
      expect(retried.body.requestId).toBe(first.body.requestId);
      expect(await storedFor(callerArn)).toHaveLength(1);
    });

    it.each([
      ['an unknown action', { action: 'delete', requestId: 'x' }, 'action', 'enum'],
      ['a get without requestId', { action: 'get' }, 'requestId', 'required'],
      ['an unknown member', { action: 'get', requestId: 'x', verbose: true }, 'verbose', 'unknownField'],
      ['an invalid CreateApp input', { action: 'submit', request: { ...kernelGatewayRequest(), AppType: 'Notebook' } }, 'request.AppType', 'enum'],
    ])('rejects %s with 400', async (_case, payload, field, rule) => {
      const sqsCalls = countCalls(broker.submitDeps.sqs);

      try {
        const result = await invoke(payload);

        expect(result.statusCode).toBe(400);
        expect(result.body.error.code).toBe('ValidationFailed');
        expect(result.body.error.details).toContainEqual(expect.objectContaining({ field, rule }));
        expect(sqsCalls.commands).toEqual([]);
      } finally {
        sqsCalls.stop();
      }
    });

    it('rejects an oversized request with 413', async () => {
      const tags = Array.from({ length: 45 }, (_, index) => ({ Key: `key-${index}`, Value: 'v'.repeat(256) }));
      const huge = { ...kernelGatewayRequest(), Tags: tags, ResourceSpec: { InstanceType: 'ml.t3.medium', LifecycleConfigArn: 'x'.repeat(60_000) } };

      const result = await invoke({ action: 'submit', request: huge });

      expect(result.statusCode).toBe(413);
      expect(result.body.error.code).toBe('RequestTooLarge');
    });
  });

  describe('bare CreateApp input', () => {
    it('submits an input delivered as it is', async () => {
      const request = kernelGatewayRequest();

      const result = await invoke(request);

      expect(result.statusCode).toBe(202);
      expect(result.body.input).toEqual(request);
    });

    it('rejects an invalid input with 400', async () => {
      const result = await invoke({ DomainId: 'd-abc' });

      expect(result.statusCode).toBe(400);
      expect(result.body.error.details).toContainEqual({ field: 'AppType', rule: 'required', message: 'is required' });
    });
  });

  describe('EventBridge events', () => {
    it('submits the detail of a scheduled event once per rule and time', async () => {
      const event = scheduledEvent(kernelGatewayRequest());
      const ruleArn = event.resources[0];
      const before = (await storedFor(ruleArn)).length;

      const first = await invoke(event);
      const retried = await invoke(event);
      const redelivered = await invoke({ ...event, id: 'another-delivery-id' });
      const nextDay = await invoke({ ...event, time: '2026-12-02T08:00:00Z' });

      expect(first.statusCode).toBe(202);
      expect(retried.body.requestId).toBe(first.body.requestId);
      expect(redelivered.body.requestId).toBe(first.body.requestId);
      expect(nextDay.body.requestId).not.toBe(first.body.requestId);
      expect((await storedFor(ruleArn)).length - before).toBe(2);
    });

    it('submits each of detail.requests once', async () => {
      const ruleArn = 'arn:aws:events:us-east-1:111122223333:rule/team-gpu-morning';
      const requests = [kernelGatewayRequest(), kernelGatewayRequest(), { DomainId: 'd-abc' }];
      const event = scheduledEvent({ requests }, { resources: [ruleArn] });

      const first = await invoke(event);
      const retried = await invoke(event);

      expect(first.statusCode).toBe(207);
      expect(first.body.results.map((result: { statusCode: number }) => result.statusCode)).toEqual([202, 202, 400]);
      expect(retried.body.results.slice(0, 2)).toEqual(first.body.results.slice(0, 2));
      expect(await storedFor(ruleArn)).toHaveLength(2);
    });

    it('names a custom event by its id', async () => {
      const request = kernelGatewayRequest();
      const event = scheduledEvent(request, { 'detail-type': 'Team Asked For App', source: 'com.example.portal', resources: [] });

      const first = await invoke(event);
      const retried = await invoke(event);
      const secondEvent = await invoke({ ...event, id: 'a-second-event' });

      expect(retried.body.requestId).toBe(first.body.requestId);
      expect(secondEvent.body.requestId).not.toBe(first.body.requestId);
      expect((await storedRequests(broker)).find((stored) => stored.requestId === first.body.requestId)?.callerArn).toBe('eventbridge:com.example.portal');
    });

    it('rejects the empty detail of the fixture with 400', async () => {
      const result = await invoke(readFixture('events/eventbridge-scheduled-event.json'));

      expect(result.statusCode).toBe(400);
      expect(result.body.error.code).toBe('ValidationFailed');
    });

    it('rejects an empty requests list with 400', async () => {
      const result = await invoke(scheduledEvent({ requests: [] }));

      expect(result.statusCode).toBe(400);
      expect(result.body.error.details).toEqual([{ field: 'detail.requests', rule: 'maxItems', message: 'must hold 1 to 50 items' }]);
    });
  });

  describe('unsupported events', () => {
    it.each([
      ['an empty object', {}, 'an empty object'],
      ['an unknown object', { foo: 1 }, 'an object with keys foo'],
      ['an SQS batch', readFixture('events/sqs-batch.json'), 'an SQS event'],
      ['null', null, 'null'],
      ['a string', 'hello', 'a string'],
      ['an array', [1, 2], 'a JSON array'],
    ])('raises UnsupportedEventError for %s', async (_case, event, description) => {
      const sqsCalls = countCalls(broker.submitDeps.sqs);
      const dynamoCalls = countCalls(broker.submitDeps.dynamo);

      try {
        const error = await invoke(event).catch((caught: unknown) => caught);

        expect(error).toBeInstanceOf(UnsupportedEventError);
        expect((error as Error).name).toBe('UnsupportedEventError');
        expect((error as Error).message).toContain(`(${description})`);
        expect(sqsCalls.commands).toEqual([]);
        expect(dynamoCalls.commands).toEqual([]);
      } finally {
        sqsCalls.stop();
        dynamoCalls.stop();
      }
    });
  });
});
