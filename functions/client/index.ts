import type { RequestState, RequestView } from '../requests/model';
import type { CreateAppRequest } from '../requests/schema';
import type { FieldError } from '../requests/schema';
import type { DomainPolicy, DomainQuota } from '../quota/policy';

/**
 * A small typed client of the broker's HTTP API for internal services. It uses the global
 * `fetch`; requests go through `sign` when given, e.g. a SigV4 signer for the API's IAM
 * authorization.
 */

/** A request before it is sent, as the `sign` hook receives and returns it. */
export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

export interface BrokerClientOptions {
  /** Base URL of the API, e.g. `https://abc123.execute-api.us-east-1.amazonaws.com`. */
  baseUrl: string;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** Adds authentication to a request, e.g. SigV4 headers; called once per request. */
  sign?: (request: OutgoingRequest) => OutgoingRequest | Promise<OutgoingRequest>;
  /** Replaces the global fetch, e.g. in tests. */
  fetch?: typeof fetch;
}

export interface ListRequestsQuery {
  domainId?: string;
  state?: RequestState;
  limit?: number;
  nextToken?: string;
}

export interface RequestPage {
  items: RequestView[];
  nextToken?: string;
}

export interface WaitOptions {
  /** Milliseconds to wait in all before WaitTimeoutError. */
  timeoutMs: number;
  /** Milliseconds between reads; 1000 unless given. */
  intervalMs?: number;
  /** States that end the wait; CREATED, READY, FAILED and CANCELLED unless given. */
  states?: readonly RequestState[];
}

/** Raised for every non-2xx response, with the API's error code and field details. */
export class BrokerApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[],
  ) {
    super(message);
    this.name = 'BrokerApiError';
  }
}

/** Raised by waitUntilTerminal when the request is still not in one of the states after the timeout. */
export class WaitTimeoutError extends Error {
  constructor(
    readonly requestId: string,
    readonly lastState: RequestState,
    timeoutMs: number,
  ) {
    super(`Request ${requestId} is still ${lastState} after ${timeoutMs} ms`);
    this.name = 'WaitTimeoutError';
  }
}

/** States after which the broker never calls CreateApp for the request again. */
const DEFAULT_TERMINAL_STATES: readonly RequestState[] = ['CREATED', 'READY', 'FAILED', 'CANCELLED'];

export interface BrokerClient {
  /** Queues a CreateApp request. With `idempotencyKey`, a repeat returns the first response. */
  submit(input: CreateAppRequest, options?: { idempotencyKey?: string }): Promise<RequestView>;
  get(requestId: string): Promise<RequestView>;
  list(query?: ListRequestsQuery): Promise<RequestPage>;
  cancel(requestId: string): Promise<RequestView>;
  getQuota(domainId: string): Promise<DomainQuota>;
  putQuota(domainId: string, policy: DomainPolicy): Promise<DomainQuota>;
  /** Reads the request until it reaches one of the wait states; raises WaitTimeoutError after `timeoutMs`. */
  waitUntilTerminal(requestId: string, options: WaitOptions): Promise<RequestView>;
}

function errorOf(status: number, body: unknown): BrokerApiError {
  const error = (body as { error?: { code?: string; message?: string; details?: FieldError[] } } | undefined)?.error;
  return new BrokerApiError(status, error?.code ?? 'UnknownError', error?.message ?? `The broker returned HTTP ${status} without an error body`, error?.details ?? []);
}

export function createBrokerClient(options: BrokerClientOptions): BrokerClient {
  const fetchImpl = options.fetch ?? fetch;

  async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    let request: OutgoingRequest = {
      method,
      url: new URL(path, options.baseUrl),
      headers: { accept: 'application/json', ...options.headers, ...headers },
    };
    if (body !== undefined) {
      request.headers['content-type'] = 'application/json';
      request.body = JSON.stringify(body);
    }
    if (options.sign !== undefined) request = await options.sign(request);

    const response = await fetchImpl(request.url, { method: request.method, headers: request.headers, body: request.body });
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) throw errorOf(response.status, parsed);
    return parsed as T;
  }

  const encode = encodeURIComponent;
  const client: BrokerClient = {
    submit: (input, submitOptions) =>
      call('POST', '/apps', input, submitOptions?.idempotencyKey === undefined ? {} : { 'idempotency-key': submitOptions.idempotencyKey }),
    get: (requestId) => call('GET', `/requests/${encode(requestId)}`),
    list: (query = {}) => {
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(query)) {
        if (value !== undefined) search.set(name, String(value));
      }
      const suffix = search.size > 0 ? `?${search.toString()}` : '';
      return call('GET', `/requests${suffix}`);
    },
    cancel: (requestId) => call('DELETE', `/requests/${encode(requestId)}`),
    getQuota: (domainId) => call('GET', `/domains/${encode(domainId)}/quota`),
    putQuota: (domainId, policy) => call('PUT', `/domains/${encode(domainId)}/quota`, policy),

    async waitUntilTerminal(requestId, waitOptions) {
      const states = waitOptions.states ?? DEFAULT_TERMINAL_STATES;
      const intervalMs = waitOptions.intervalMs ?? 1000;
      const deadlineEpochMs = Date.now() + waitOptions.timeoutMs;

      let request = await client.get(requestId);
      while (!states.includes(request.state)) {
        if (Date.now() >= deadlineEpochMs) throw new WaitTimeoutError(requestId, request.state, waitOptions.timeoutMs);
        await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadlineEpochMs - Date.now()))));
        request = await client.get(requestId);
      }
      return request;
    },
  };
  return client;
}
