import type { MiddlewareStack } from '@smithy/types';

/**
 * Counts the wire requests that SDK clients send, per `Service.Operation`, with a middleware in
 * the finalizeRequest step below the retry middleware, so every attempt of a retried call counts.
 * Calls that fail count too. ReceiveMessage calls that return no message are counted apart, because their number depends
 * on how long the pollers sat idle and not on how many requests went through.
 */
export class RequestCounter {
  private readonly counts = new Map<string, number>();
  private emptyReceives = 0;

  /** Adds the counting middleware to `client`. The `service` label prefixes its operations in the counts. */
  instrument<Input extends object, Output extends object>(client: { middlewareStack: MiddlewareStack<Input, Output> }, service: string): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = operationOf(args.request, context.commandName);
        let result: Awaited<ReturnType<typeof next>>;
        try {
          result = await next(args);
        } catch (error) {
          this.add(`${service}.${operation}`);
          throw error;
        }

        const messages = (result.output as { Messages?: unknown[] }).Messages;
        const isEmptyReceive = operation === 'ReceiveMessage' && (messages === undefined || messages.length === 0);
        if (isEmptyReceive) this.emptyReceives += 1;
        else this.add(`${service}.${operation}`);
        return result;
      },
      { step: 'finalizeRequest', priority: 'low', name: 'benchRequestCounter' },
    );
  }

  /** Requests per `Service.Operation` since the last reset. */
  snapshot(): { byOperation: Record<string, number>; emptyReceives: number } {
    return { byOperation: Object.fromEntries([...this.counts].sort()), emptyReceives: this.emptyReceives };
  }

  reset(): void {
    this.counts.clear();
    this.emptyReceives = 0;
  }

  private add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
}

/** Reads the operation from the `x-amz-target` header of the JSON protocols, else from the command's name. */
function operationOf(request: unknown, commandName: string | undefined): string {
  const headers = (request as { headers?: Record<string, string> } | undefined)?.headers ?? {};
  const target = headers['x-amz-target'] ?? headers['X-Amz-Target'];
  if (target !== undefined) return target.slice(target.lastIndexOf('.') + 1);
  return (commandName ?? 'Unknown').replace(/Command$/, '');
}
