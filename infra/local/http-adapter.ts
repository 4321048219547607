import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { buildHttpApiEvent } from './http-event';
import { localLambdaContext } from './lambda-context';

export interface HttpAdapter {
  url: string;
  close(): Promise<void>;
}

type HttpHandler = (event: APIGatewayProxyEventV2WithIAMAuthorizer, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** Media types that API Gateway passes as text; other bodies arrive base64-encoded, as in AWS. */
const TEXT_MEDIA_TYPE = /^(text\/|application\/(?:[\w.+-]+\+)?json\b|application\/xml\b)/i;

/** Encodes a request body as API Gateway passes it: text as is, anything else in base64. */
function encodeBody(body: Buffer, isText: boolean): string | undefined {
  if (body.length === 0) return undefined;
  if (isText) return body.toString('utf8');
  return body.toString('base64');
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A small HTTP server that turns each request into an HTTP API payload 2.0 event for the
 * handler, as API Gateway does. The caller's IAM ARN comes from the `x-local-caller-arn` header
 * because no SigV4 authorizer runs locally. Listens on 127.0.0.1 only.
 */
export async function startHttpAdapter(handler: HttpHandler, port = 0): Promise<HttpAdapter> {
  const server: Server = createServer(async (request, response) => {
    const body = await readBody(request);
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : (value ?? '')]));
    const isText = TEXT_MEDIA_TYPE.test(headers['content-type'] ?? '');
    const event = buildHttpApiEvent({
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers,
      body: encodeBody(body, isText),
      isBase64Encoded: body.length > 0 && !isText,
      callerArn: headers['x-local-caller-arn'] || undefined,
    });

    try {
      const result = await handler(event, localLambdaContext('submit'));
      response.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
      response.end(result.body ?? '');
    } catch (error) {
      response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'Internal Server Error', detail: String(error) }));
    }
  });

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  return {
    url: `http://127.0.0.1:${boundPort}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
