import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, renderOpenApiDocument } from '../../functions/submit/routes';
import { httpJson, startTestBroker, type TestBroker } from '../support/broker';
import { ADMIN_ROLE_ARN, ADMIN_SESSION_ARN } from './helpers';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

function operationsOf(document: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, item]) => Object.keys(item).filter((key) => HTTP_METHODS.includes(key)).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

describe('OpenAPI document', () => {
  let broker: TestBroker;
  const committed = readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8');

  beforeAll(async () => {
    broker = await startTestBroker({ env: { ADMIN_PRINCIPAL_ARNS: ADMIN_ROLE_ARN } });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('lists exactly the routes of the router', () => {
    const routes = ROUTES.map((route) => `${route.method} ${route.path}`).sort();

    expect(operationsOf(JSON.parse(committed))).toEqual(routes);
  });

  it('matches the generated document', () => {
    // On failure run: npx tsx scripts/openapi.ts
    expect(committed).toBe(renderOpenApiDocument());
  });

  it('is an OpenAPI 3.1 document whose refs resolve', () => {
    const document = JSON.parse(committed);
    const refs = [...committed.matchAll(/"\$ref": "#\/components\/schemas\/([^"]+)"/g)].map((match) => match[1] as string);

    expect(document.openapi).toBe('3.1.0');
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(Object.keys(document.components.schemas)).toContain(ref);
  });

  it('is served at GET /openapi.json without caller identity', async () => {
    const response = await fetch(`${broker.http.url}/openapi.json`);

    expect(response.status).toBe(200);
    expect(await response.text()).toBe(JSON.stringify(JSON.parse(committed)));
  });

  it('routes every documented operation', async () => {
    const document = JSON.parse(committed);

    for (const operation of operationsOf(document)) {
      const [method, template] = operation.split(' ') as [string, string];
      const path = template.replace('{requestId}', 'no-such-request').replace('{domainId}', 'd-abc123');
      const response = await httpJson(broker.http.url, method, path, method === 'GET' || method === 'DELETE' ? undefined : {}, {
        'x-local-caller-arn': ADMIN_SESSION_ARN,
      });

      const code = response.body?.error?.code;
      expect([operation, code]).not.toEqual([operation, 'NoRoute']);
      expect([operation, code]).not.toEqual([operation, 'MethodNotAllowed']);
      expect(response.status, operation).toBeLessThan(500);
      const documented = Object.keys(document.paths[template][method.toLowerCase()].responses);
      expect(documented, operation).toContain(String(response.status));
    }
  });
});
