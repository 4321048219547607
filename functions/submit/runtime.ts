import type { Context } from 'aws-lambda';
import { createEventBridgePublisher } from '../events/publisher';
import { PolicyWriteConflictError, readDomainQuota, writeDomainPolicy, type DomainPolicy, type DomainQuota } from '../quota/policy';
import type { RequestView } from '../requests/model';
import { assertAdmin, type Caller } from './access';
import { cancelRequestFor } from './cancel-request';
import type { ListQuery } from './contract';
import type { SubmitDeps } from './deps';
import { ApiError } from './errors';
import { createAcceptOnce, type AcceptOnce, type Acceptance } from './idempotency';
import { getRequestFor, listRequestsFor, type RequestListPage } from './read-requests';
import { checkSubmission } from './submit-request';

/**
 * The operations of the submit function, shared by every entry shape: HTTP routes, EventBridge
 * events and direct invocations call the same functions, so they return the same bodies.
 */
export interface SubmitOperations {
  submit(caller: Caller, input: unknown, idempotencyKey: string | undefined, context?: Context): Promise<Acceptance>;
  get(caller: Caller, requestId: string): Promise<RequestView>;
  list(caller: Caller, query: ListQuery): Promise<RequestListPage>;
  cancel(caller: Caller, requestId: string): Promise<RequestView>;
  readQuota(domainId: string): Promise<DomainQuota>;
  writeQuota(caller: Caller, domainId: string, policy: DomainPolicy): Promise<DomainQuota>;
  deps: SubmitDeps;
}

/** Builds the operations around `deps`, creating the outcome publisher and the idempotency store when absent. */
export function createSubmitOperations(givenDeps: SubmitDeps): SubmitOperations {
  const deps: SubmitDeps = { ...givenDeps, publisher: givenDeps.publisher ?? createEventBridgePublisher(givenDeps.config) };
  const acceptOnce: AcceptOnce = createAcceptOnce(deps);
  const { config } = deps;

  return {
    deps,
    async submit(caller, input, idempotencyKey, context) {
      const checked = checkSubmission(config, input);
      return acceptOnce(checked, caller.arn, idempotencyKey, context);
    },
    get: (caller, requestId) => getRequestFor(deps, caller, requestId),
    list: (caller, query) => listRequestsFor(deps, caller, query),
    cancel: (caller, requestId) => cancelRequestFor(deps, caller, requestId),
    readQuota: (domainId) => readDomainQuota(deps.dynamo, config.quotasTableName, domainId, config.defaultDomainMaxActiveApps),
    async writeQuota(caller, domainId, policy) {
      assertAdmin(caller, 'change quota policies');
      try {
        return await writeDomainPolicy(deps.dynamo, config.quotasTableName, domainId, policy, config.defaultDomainMaxActiveApps, deps.now());
      } catch (error) {
        if (error instanceof PolicyWriteConflictError) throw new ApiError(409, 'PolicyWriteConflict', error.message);
        throw error;
      }
    },
  };
}
