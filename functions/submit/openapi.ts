import { z } from 'zod';
import { directInvocationSchema, invocationResultSchema } from './contract';
import type { Route } from './routes/route';

/** Version of the HTTP API contract; raise it with every change that callers can notice. */
export const API_VERSION = '0.1.0';

type JsonSchema = Record<string, unknown>;
type Io = 'input' | 'output';

const COMPONENT_REF_PREFIX = '#/components/schemas/';

/**
 * Collects JSON Schemas for the document. Zod puts named schemas (`.meta({ id })`) under `$defs`
 * of each converted schema; they move to `components.schemas` and the refs are rewritten. A name
 * whose input form differs from its output form gets the input form as `<name>Input`.
 */
class SchemaCollector {
  readonly components: Record<string, JsonSchema> = {};

  convert(schema: z.ZodType, io: Io): JsonSchema {
    const converted = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
    const { $schema: _dialect, $defs: definitions = {}, ...rest } = converted as JsonSchema & { $defs?: Record<string, JsonSchema> };

    const names = new Map<string, string>();
    for (const [id, definition] of Object.entries(definitions)) {
      names.set(id, this.componentName(id, definition, io));
    }
    const rewrite = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(rewrite);
      if (typeof node !== 'object' || node === null) return node;
      return Object.fromEntries(
        Object.entries(node).map(([key, value]) => {
          if (key === '$ref' && typeof value === 'string' && value.startsWith('#/$defs/')) {
            const id = value.slice('#/$defs/'.length);
            return [key, `${COMPONENT_REF_PREFIX}${names.get(id) ?? id}`];
          }
          return [key, rewrite(value)];
        }),
      );
    };

    for (const [id, definition] of Object.entries(definitions)) {
      this.components[names.get(id) as string] = rewrite(definition) as JsonSchema;
    }
    return rewrite(rest) as JsonSchema;
  }

  private componentName(id: string, definition: JsonSchema, io: Io): string {
    const existing = this.components[id];
    if (existing === undefined) return id;
    if (io === 'output' || JSON.stringify(existing) === JSON.stringify(definition)) return id;
    return `${id}Input`;
  }
}

function jsonContent(schema: JsonSchema): Record<string, unknown> {
  return { 'application/json': { schema } };
}

function parametersOf(route: Route, schemas: SchemaCollector): unknown[] {
  const { doc } = route;
  const parameters: unknown[] = [];

  for (const [name, schema] of Object.entries(doc.pathParams ?? {})) {
    parameters.push({ name, in: 'path', required: true, schema: schemas.convert(schema, 'input') });
  }
  if (doc.query !== undefined) {
    const query = schemas.convert(doc.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      parameters.push({ name, in: 'query', required: (query.required ?? []).includes(name), schema });
    }
  }
  for (const [name, header] of Object.entries(doc.requestHeaders ?? {})) {
    parameters.push({ name, in: 'header', required: false, description: header.description, schema: schemas.convert(header.schema, 'input') });
  }
  return parameters;
}

function operationOf(route: Route, schemas: SchemaCollector): Record<string, unknown> {
  const { doc } = route;
  const responses = Object.fromEntries(
    Object.entries(doc.responses).map(([status, response]) => {
      const headers = Object.fromEntries(
        Object.entries(response.headers ?? {}).map(([name, description]) => [name, { description, schema: { type: 'string' } }]),
      );
      return [
        status,
        {
          description: response.description,
          ...(Object.keys(headers).length > 0 ? { headers } : {}),
          ...(response.schema === undefined ? {} : { content: jsonContent(schemas.convert(response.schema, 'output')) }),
        },
      ];
    }),
  );
  const parameters = parametersOf(route, schemas);

  return {
    operationId: doc.operationId,
    summary: doc.summary,
    ...(doc.description === undefined ? {} : { description: doc.description }),
    ...(route.isPublic === true ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(doc.requestBody === undefined ? {} : { requestBody: { required: true, content: jsonContent(schemas.convert(doc.requestBody, 'input')) } }),
    responses,
  };
}

/**
 * Builds the OpenAPI 3.1 document of the HTTP API from the route table, whose entries carry the
 * zod schemas their handlers validate with. The direct-invocation payload and result are added as
 * components although no HTTP route uses them, so that one document describes both contracts.
 */
export function buildOpenApiDocument(routes: readonly Route[]): Record<string, unknown> {
  const schemas = new SchemaCollector();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operationOf(route, schemas);
  }
  schemas.convert(directInvocationSchema, 'input');
  schemas.convert(invocationResultSchema, 'output');

  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Studio App Broker API',
      version: API_VERSION,
      description:
        'Queues SageMaker Studio CreateApp requests, admits them against per-domain quotas and reports their state. ' +
        'Requests are signed with SigV4 (API Gateway IAM authorization).',
    },
    security: [{ sigv4: [] }],
    paths,
    components: {
      securitySchemes: {
        sigv4: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'AWS Signature Version 4 (IAM authorization)' },
      },
      schemas: Object.fromEntries(Object.entries(schemas.components).sort(([left], [right]) => left.localeCompare(right))),
    },
  };
}
