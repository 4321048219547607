/**
 * App records and their lifecycle. Status is derived from the clock on every read, so no timers run:
 * Pending lasts startupDelayMs, then the app is InService (or Failed when a FailureReason was planned);
 * Deleting lasts deleteDelayMs, then the app is Deleted. Deleted and Failed records are purged
 * retentionMs after they end.
 */
import { resolveAppSettings } from './app-type-rules';
import { resourceInUse, resourceLimitExceeded, resourceNotFound, validationError } from './errors';
import { appArn, describeApp, identityKey, pickIdentity } from './identity';
import { limitExceededError, type LimitTable } from './limits';
import { MAX_TAGS_PER_RESOURCE, type CreateAppInput } from './validation';
import type { AppIdentity, AppStatus, ResourceSpec, SimulatedApp, Tag } from './types';

export interface AppStoreOptions {
  region: string;
  accountId: string;
  startupDelayMs: number;
  deleteDelayMs: number;
  retentionMs: number;
  now: () => number;
  failStartup?: (app: AppIdentity) => string | undefined;
  limits: LimitTable;
}

interface AppRecord {
  identity: AppIdentity;
  appArn: string;
  resourceSpec: ResourceSpec;
  effectiveInstanceType: string;
  tags: Tag[];
  recoveryMode?: boolean;
  plannedFailureReason?: string;
  createdAtEpochMs: number;
  deleteRequestedAtEpochMs?: number;
  /** Creation order; breaks ties between apps created in the same millisecond. */
  sequence: number;
}

const ACTIVE_STATUSES: ReadonlySet<AppStatus> = new Set(['Pending', 'InService', 'Deleting']);

export class AppStore {
  private readonly records = new Map<string, AppRecord>();
  private nextSequence = 0;

  constructor(private readonly options: AppStoreOptions) {}

  /** Creates an app after the AppType, identity and limit checks, and returns its ARN. */
  create(input: CreateAppInput): string {
    const settings = resolveAppSettings(input);
    const now = this.options.now();
    this.purgeExpired(now);

    const identity = pickIdentity(input);
    const key = identityKey(identity);
    const existing = this.records.get(key);
    if (existing !== undefined) {
      const status = this.toSnapshot(existing, now).Status;
      if (ACTIVE_STATUSES.has(status)) {
        throw resourceInUse(`${describeApp(identity)} already exists with status [${status}].`);
      }
    }

    const limit = this.options.limits.get(identity.AppType, settings.effectiveInstanceType);
    const current = this.countActive(identity.AppType, settings.effectiveInstanceType, now);
    if (current + 1 > limit) {
      throw limitExceededError(identity.AppType, settings.effectiveInstanceType, limit, current);
    }

    const record: AppRecord = {
      identity,
      appArn: appArn(this.options.region, this.options.accountId, identity),
      resourceSpec: settings.resourceSpec,
      effectiveInstanceType: settings.effectiveInstanceType,
      tags: input.Tags.map((tag) => ({ ...tag })),
      createdAtEpochMs: now,
      sequence: this.nextSequence++,
    };
    if (input.RecoveryMode !== undefined) {
      record.recoveryMode = input.RecoveryMode;
    }
    const failureReason = this.options.failStartup?.(pickIdentity(identity));
    if (failureReason !== undefined) {
      record.plannedFailureReason = failureReason;
    }

    this.records.set(key, record);
    return record.appArn;
  }

  /** Returns the app with this identity, or throws ResourceNotFound. */
  describe(identity: AppIdentity): SimulatedApp {
    const now = this.options.now();
    this.purgeExpired(now);

    const record = this.records.get(identityKey(identity));
    if (record === undefined) {
      throw resourceNotFound(`${describeApp(identity)} does not exist.`);
    }
    return this.toSnapshot(record, now);
  }

  /** Starts deleting an InService app; other states fail as SageMaker's DeleteApp does. */
  delete(identity: AppIdentity): void {
    const now = this.options.now();
    this.purgeExpired(now);

    const record = this.records.get(identityKey(identity));
    if (record === undefined) {
      throw resourceNotFound(`${describeApp(identity)} does not exist.`);
    }

    const status = this.toSnapshot(record, now).Status;
    switch (status) {
      case 'InService':
        record.deleteRequestedAtEpochMs = now;
        return;
      case 'Pending':
        throw resourceInUse(`${describeApp(identity)} is in status [Pending] and cannot be deleted until it is InService.`);
      case 'Deleting':
        throw resourceInUse(`${describeApp(identity)} is already being deleted (status [Deleting]).`);
      case 'Deleted':
        throw validationError(`${describeApp(identity)} has already been deleted.`);
      case 'Failed':
        throw validationError(`${describeApp(identity)} previously failed and was automatically deleted.`);
    }
  }

  /** Returns every stored app in creation order. */
  list(): SimulatedApp[] {
    const now = this.options.now();
    this.purgeExpired(now);

    return [...this.records.values()]
      .sort((left, right) => left.createdAtEpochMs - right.createdAtEpochMs || left.sequence - right.sequence)
      .map((record) => this.toSnapshot(record, now));
  }

  listTags(resourceArn: string): Tag[] {
    return this.findByArn(resourceArn).tags.map((tag) => ({ ...tag }));
  }

  /** Adds tags to an app, replacing the values of keys it already has, and returns the added tags. */
  addTags(resourceArn: string, tags: readonly Tag[]): Tag[] {
    const record = this.findByArn(resourceArn);

    const merged = new Map(record.tags.map((tag) => [tag.Key, tag.Value]));
    for (const tag of tags) {
      merged.set(tag.Key, tag.Value);
    }
    if (merged.size > MAX_TAGS_PER_RESOURCE) {
      throw resourceLimitExceeded(
        `Tag limit exceeded: ${resourceArn} would have ${merged.size} tags, but a resource can have at most ${MAX_TAGS_PER_RESOURCE}.`,
      );
    }

    record.tags = [...merged].map(([Key, Value]) => ({ Key, Value }));
    return tags.map((tag) => ({ ...tag }));
  }

  clear(): void {
    this.records.clear();
  }

  private findByArn(resourceArn: string): AppRecord {
    this.purgeExpired(this.options.now());

    for (const record of this.records.values()) {
      if (record.appArn === resourceArn) {
        return record;
      }
    }
    // NOTE: the error SageMaker's ListTags/AddTags send for an unknown ARN is not documented.
    throw resourceNotFound(`Resource ${resourceArn} does not exist.`);
  }

  private countActive(appType: string, instanceType: string, now: number): number {
    let count = 0;
    for (const record of this.records.values()) {
      const samePair = record.identity.AppType === appType && record.effectiveInstanceType === instanceType;
      if (samePair && ACTIVE_STATUSES.has(this.toSnapshot(record, now).Status)) {
        count += 1;
      }
    }
    return count;
  }

  private purgeExpired(now: number): void {
    for (const [key, record] of this.records) {
      const endedAtEpochMs = this.toSnapshot(record, now).endedAtEpochMs;
      if (endedAtEpochMs !== undefined && endedAtEpochMs + this.options.retentionMs <= now) {
        this.records.delete(key);
      }
    }
  }

  private toSnapshot(record: AppRecord, now: number): SimulatedApp {
    const startupEndsAtEpochMs = record.createdAtEpochMs + this.options.startupDelayMs;
    const snapshot: SimulatedApp = {
      ...record.identity,
      AppArn: record.appArn,
      Status: 'Pending',
      ResourceSpec: { ...record.resourceSpec },
      Tags: record.tags.map((tag) => ({ ...tag })),
      effectiveInstanceType: record.effectiveInstanceType,
      createdAtEpochMs: record.createdAtEpochMs,
      startupEndsAtEpochMs,
    };
    if (record.recoveryMode !== undefined) {
      snapshot.RecoveryMode = record.recoveryMode;
    }
    if (record.deleteRequestedAtEpochMs !== undefined) {
      snapshot.deleteRequestedAtEpochMs = record.deleteRequestedAtEpochMs;
    }

    if (now < startupEndsAtEpochMs) {
      return snapshot;
    }
    if (record.plannedFailureReason !== undefined) {
      return { ...snapshot, Status: 'Failed', FailureReason: record.plannedFailureReason, endedAtEpochMs: startupEndsAtEpochMs };
    }
    if (record.deleteRequestedAtEpochMs === undefined) {
      return { ...snapshot, Status: 'InService' };
    }

    const deletedAtEpochMs = record.deleteRequestedAtEpochMs + this.options.deleteDelayMs;
    if (now < deletedAtEpochMs) {
      return { ...snapshot, Status: 'Deleting' };
    }
    return { ...snapshot, Status: 'Deleted', endedAtEpochMs: deletedAtEpochMs };
  }
}
