import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'studio-app-broker';

/** Logger shared by the domain modules; handlers add per-invocation keys and reset them. */
export const logger = new Logger({ serviceName });

/**
 * X-Ray tracer. Powertools enables it only inside Lambda (AWS_EXECUTION_ENV set), so local runs
 * and tests send no segments.
 */
export const tracer = new Tracer({ serviceName });

/** EMF metrics, each named for what it counts (RequestsAccepted, CreateAppCalls, ...). */
export const metrics = new Metrics({
  serviceName,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'StudioAppBroker',
});

/** Flushes the invocation's metrics; an invocation that recorded none writes nothing. */
export function publishMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}
