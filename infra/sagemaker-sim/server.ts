/**
 * HTTP plumbing: reads whole requests, sends JSON replies, and listens on 127.0.0.1 only.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  headers: IncomingHttpHeaders;
  bodyText: string;
}

export interface HttpReply {
  statusCode: number;
  /** JSON body; undefined sends an empty body. */
  body?: unknown;
  headers: Record<string, string>;
}

export type RequestHandler = (request: HttpRequest) => Promise<HttpReply>;

export interface ListeningServer {
  port: number;
  close(): Promise<void>;
}

/** Starts an HTTP server on 127.0.0.1 that passes every request to `handler`. */
export async function listenOnLoopback(port: number, handler: RequestHandler): Promise<ListeningServer> {
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const request: HttpRequest = {
        method: incoming.method ?? 'GET',
        path: (incoming.url ?? '/').split('?')[0] ?? '/',
        headers: incoming.headers,
        bodyText: Buffer.concat(chunks).toString('utf8'),
      };
      handler(request)
        .then((reply) => {
          const bodyText = reply.body === undefined ? '' : JSON.stringify(reply.body);
          outgoing.writeHead(reply.statusCode, { ...reply.headers, 'Content-Length': Buffer.byteLength(bodyText) });
          outgoing.end(bodyText);
        })
        .catch((error: unknown) => {
          console.error('SageMaker simulator failed to handle a request:', error);
          outgoing.writeHead(500, { 'Content-Type': 'application/json' });
          outgoing.end(JSON.stringify({ __type: 'InternalFailure', message: 'The simulator failed to handle the request.' }));
        });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });

  const address = server.address() as AddressInfo;
  return { port: address.port, close: () => closeServer(server) };
}

/** Stops the server, closing the keep-alive connections SDK clients hold open. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)));
    server.closeAllConnections();
  });
}
