import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema, requestViewSchema } from '../../functions/submit/contract';
import { buildHttpApiEvent } from '../../infra/local/http-event';
import { startTestBroker, type TestBroker } from '../support/broker';
import { bodyOf, countCalls, directHandler, kernelGatewayRequest, newCallerArn, receiveWorkMessages, storedRequests } from './helpers';

const MAX_REQUEST_BYTES = 4096;

describe('HTTP edge cases', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker({ env: { MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES) } });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  async function post(body: string | undefined, headers: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }> {
    const response = await fetch(`${broker.http.url}/apps`, { method: 'POST', headers: { 'x-local-caller-arn': newCallerArn(), ...headers }, body });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
  }

  function expectError(body: unknown, code: string): void {
    const parsed = errorBodySchema.strict().safeParse(body);
    expect(parsed.success).toBe(true);
    expect((body as any).error.code).toBe(code);
  }

  it('decodes a base64 body before parsing', async () => {
    const request = kernelGatewayRequest();
    const invoke = directHandler(broker);
    const event = buildHttpApiEvent({
      method: 'POST',
      path: '/apps',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(request)).toString('base64'),
      isBase64Encoded: true,
      callerArn: newCallerArn(),
    });

    const result = await invoke(event);

    expect(result.statusCode).toBe(202);
    const view = requestViewSchema.parse(bodyOf(result));
    expect(view.input).toEqual(request);
    const messages = await receiveWorkMessages(broker);
    const message = messages.find((candidate) => candidate.requestId === view.requestId);
    expect(message.input).toEqual(request);
  });

  it.each(['application/json', 'Application/JSON; charset=utf-8', 'APPLICATION/JSON;charset=UTF-8', 'application/vnd.api+json'])(
    'accepts content type %s',
    async (contentType) => {
      const response = await post(JSON.stringify(kernelGatewayRequest()), { 'content-type': contentType });

      expect(response.status).toBe(202);
      expect(response.body.state).toBe('QUEUED');
    },
  );

  it.each([
    ['text/plain', 'text/plain'],
    ['form data', 'application/x-www-form-urlencoded'],
    ['xml', 'application/xml'],
  ])('rejects %s with 415', async (_name, contentType) => {
    const response = await post(JSON.stringify(kernelGatewayRequest()), { 'content-type': contentType });

    expect(response.status).toBe(415);
    expectError(response.body, 'UnsupportedMediaType');
    expect(response.body.error.message).toContain(contentType);
  });

  it('rejects a missing content type with 415', async () => {
    const invoke = directHandler(broker);
    const event = buildHttpApiEvent({ method: 'POST', path: '/apps', body: JSON.stringify(kernelGatewayRequest()), callerArn: newCallerArn() });

    const result = await invoke(event);

    expect(result.statusCode).toBe(415);
    expectError(bodyOf(result), 'UnsupportedMediaType');
  });

  it.each([
    ['malformed JSON', '{"DomainId": ', 'MalformedJson'],
    ['an empty body', '', 'MalformedJson'],
    ['a blank body', '   \n', 'MalformedJson'],
    ['a JSON array', '[{"DomainId":"d-abc"}]', 'InvalidRequest'],
    ['a JSON string', '"hello"', 'InvalidRequest'],
    ['a JSON number', '42', 'InvalidRequest'],
    ['JSON null', 'null', 'InvalidRequest'],
  ])('rejects %s with 400', async (_name, body, code) => {
    const response = await post(body, { 'content-type': 'application/json' });

    expect(response.status).toBe(400);
    expectError(response.body, code);
    expect(response.body.error.details.length).toBeGreaterThan(0);
  });

  it('rejects an invalid CreateApp input with field details', async () => {
    const response = await post(JSON.stringify({ ...kernelGatewayRequest(), AppType: 'Notebook', Extra: 1 }), { 'content-type': 'application/json' });

    expect(response.status).toBe(400);
    expectError(response.body, 'ValidationFailed');
    expect(response.body.error.details).toContainEqual({ field: 'AppType', rule: 'enum', message: 'must be one of the AppType values of the SageMaker API' });
    expect(response.body.error.details).toContainEqual({ field: 'Extra', rule: 'unknownField', message: 'is not a member of the CreateApp input' });
  });

  it('rejects an oversized body with 413 before sending or storing', async () => {
    const sqsCalls = countCalls(broker.submitDeps.sqs);
    const storedBefore = (await storedRequests(broker)).length;
    const tags = Array.from({ length: 40 }, (_, index) => ({ Key: `key-${index}`, Value: 'v'.repeat(200) }));

    try {
      const response = await post(JSON.stringify(kernelGatewayRequest({ Tags: tags })), { 'content-type': 'application/json' });

      expect(response.status).toBe(413);
      expectError(response.body, 'RequestTooLarge');
      expect(response.body.error.message).toContain(`at most ${MAX_REQUEST_BYTES} bytes`);
      expect(sqsCalls.commands).toEqual([]);
      expect((await storedRequests(broker)).length).toBe(storedBefore);
    } finally {
      sqsCalls.stop();
    }
  });

  it('rejects an oversized body that is not JSON with 413', async () => {
    const response = await post(`{${'x'.repeat(MAX_REQUEST_BYTES)}`, { 'content-type': 'application/json' });

    expect(response.status).toBe(413);
    expectError(response.body, 'RequestTooLarge');
  });

  it('answers an unknown path with 404', async () => {
    const response = await fetch(`${broker.http.url}/nowhere`, { headers: { 'x-local-caller-arn': newCallerArn() } });

    expect(response.status).toBe(404);
    expectError(await response.json(), 'NoRoute');
  });

  it('answers a wrong method with 405 and allow', async () => {
    const response = await fetch(`${broker.http.url}/apps`, { method: 'GET', headers: { 'x-local-caller-arn': newCallerArn() } });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expectError(await response.json(), 'MethodNotAllowed');
  });

  it('rejects a request without caller identity with 401', async () => {
    const invoke = directHandler(broker);
    const event = buildHttpApiEvent({ method: 'POST', path: '/apps', headers: { 'content-type': 'application/json' }, body: JSON.stringify(kernelGatewayRequest()) });
    delete (event.requestContext as { authorizer?: unknown }).authorizer;

    const result = await invoke(event);

    expect(result.statusCode).toBe(401);
    expectError(bodyOf(result), 'MissingCallerIdentity');
  });

  it('hides internal errors behind a 500 without a stack trace', async () => {
    const failingDynamo = { send: async () => Promise.reject(new Error('secret internal detail')) } as never;
    const invoke = directHandler(broker, { dynamo: failingDynamo });
    const event = buildHttpApiEvent({ method: 'GET', path: '/requests/some-id', callerArn: newCallerArn() });

    const result = await invoke(event);

    expect(result.statusCode).toBe(500);
    expectError(bodyOf(result), 'InternalError');
    expect(result.body).not.toContain('secret internal detail');
    expect(result.body).not.toMatch(/at .*\.ts:\d+/);
  });
});
