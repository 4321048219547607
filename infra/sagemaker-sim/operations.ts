/**
 * The simulated SageMaker operations: each takes a parsed JSON request body and returns the JSON
 * output body. Timestamps in outputs are epoch seconds, as the awsJson1_1 protocol sends them.
 */
import type { AppStore } from './apps';
import { validationError } from './errors';
import { parseAddTagsInput, parseAppIdentity, parseCreateAppInput, parseListAppsInput, parseListTagsInput, type ListAppsInput } from './validation';
import type { SimulatedApp } from './types';

export type OperationHandler = (body: unknown) => object;

function epochSeconds(epochMs: number): number {
  return epochMs / 1000;
}

function ownerMembers(app: SimulatedApp): { UserProfileName?: string; SpaceName?: string } {
  return app.SpaceName !== undefined ? { SpaceName: app.SpaceName } : { UserProfileName: app.UserProfileName ?? '' };
}

function describeAppOutput(app: SimulatedApp): object {
  const hasStarted = app.Status === 'InService' || app.Status === 'Deleting';
  return {
    AppArn: app.AppArn,
    AppType: app.AppType,
    AppName: app.AppName,
    DomainId: app.DomainId,
    ...ownerMembers(app),
    Status: app.Status,
    EffectiveTrustedIdentityPropagationStatus: 'DISABLED',
    ...(app.RecoveryMode !== undefined && { RecoveryMode: app.RecoveryMode }),
    ...(hasStarted && {
      LastHealthCheckTimestamp: epochSeconds(app.startupEndsAtEpochMs),
      LastUserActivityTimestamp: epochSeconds(app.startupEndsAtEpochMs),
    }),
    CreationTime: epochSeconds(app.createdAtEpochMs),
    ...(app.FailureReason !== undefined && { FailureReason: app.FailureReason }),
    ResourceSpec: app.ResourceSpec,
  };
}

function appDetails(app: SimulatedApp): object {
  return {
    DomainId: app.DomainId,
    ...ownerMembers(app),
    AppType: app.AppType,
    AppName: app.AppName,
    Status: app.Status,
    CreationTime: epochSeconds(app.createdAtEpochMs),
    ResourceSpec: app.ResourceSpec,
  };
}

/** Encodes a ListApps position as an opaque token. */
function encodeNextToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
}

function decodeNextToken(token: string): number {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const offset = (decoded as { offset?: unknown }).offset;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) {
      return offset;
    }
  } catch {
    // Falls through to the error below, as a token that is not JSON is invalid too.
  }
  throw validationError(`Invalid NextToken '${token}': pass the NextToken of a previous ListApps response unchanged.`);
}

function matchesFilters(app: SimulatedApp, input: ListAppsInput): boolean {
  const domainMatches = input.DomainIdEquals === undefined || app.DomainId === input.DomainIdEquals;
  const userProfileMatches = input.UserProfileNameEquals === undefined || app.UserProfileName === input.UserProfileNameEquals;
  const spaceMatches = input.SpaceNameEquals === undefined || app.SpaceName === input.SpaceNameEquals;
  return domainMatches && userProfileMatches && spaceMatches;
}

function listApps(store: AppStore, body: unknown): object {
  const input = parseListAppsInput(body);
  const offset = input.NextToken === undefined ? 0 : decodeNextToken(input.NextToken);

  const matching = store.list().filter((app) => matchesFilters(app, input));
  if (input.SortOrder === 'Descending') {
    matching.reverse();
  }

  const page = matching.slice(offset, offset + input.MaxResults);
  const nextOffset = offset + page.length;
  const hasMore = nextOffset < matching.length;
  return {
    Apps: page.map(appDetails),
    ...(hasMore && { NextToken: encodeNextToken(nextOffset) }),
  };
}

/** Returns the handlers of the SageMaker operations, keyed by operation name. */
export function sageMakerOperations(store: AppStore): Record<string, OperationHandler> {
  return {
    CreateApp: (body) => ({ AppArn: store.create(parseCreateAppInput(body)) }),
    DescribeApp: (body) => describeAppOutput(store.describe(parseAppIdentity(body))),
    DeleteApp: (body) => {
      store.delete(parseAppIdentity(body));
      return {};
    },
    ListApps: (body) => listApps(store, body),
    ListTags: (body) => ({ Tags: store.listTags(parseListTagsInput(body).ResourceArn) }),
    AddTags: (body) => {
      const input = parseAddTagsInput(body);
      return { Tags: store.addTags(input.ResourceArn, input.Tags) };
    },
  };
}
