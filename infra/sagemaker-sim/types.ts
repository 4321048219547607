/**
 * Public types of the SageMaker simulator. Member names follow the SageMaker API (PascalCase);
 * simulator-only fields carry their unit in the name.
 */

/** The members that name one Studio app: exactly one of UserProfileName or SpaceName is set. */
export interface AppIdentity {
  DomainId: string;
  AppType: string;
  AppName: string;
  UserProfileName?: string;
  SpaceName?: string;
}

export interface Tag {
  Key: string;
  Value: string;
}

/** CreateApp's ResourceSpec as the caller sent it. */
export interface ResourceSpec {
  SageMakerImageArn?: string;
  SageMakerImageVersionArn?: string;
  SageMakerImageVersionAlias?: string;
  InstanceType?: string;
  LifecycleConfigArn?: string;
  TrainingPlanArn?: string;
}

export type AppStatus = 'Pending' | 'InService' | 'Failed' | 'Deleting' | 'Deleted';

/** Snapshot of one app record at the moment it was read. */
export interface SimulatedApp extends AppIdentity {
  AppArn: string;
  Status: AppStatus;
  FailureReason?: string;
  ResourceSpec: ResourceSpec;
  Tags: Tag[];
  RecoveryMode?: boolean;
  /** Instance type counted against the account limit (KernelGateway `system` counts as `ml.t3.medium`). */
  effectiveInstanceType: string;
  createdAtEpochMs: number;
  /** When the app leaves Pending; it becomes InService, or Failed if a FailureReason was planned. */
  startupEndsAtEpochMs: number;
  deleteRequestedAtEpochMs?: number;
  /** When the app became Deleted or Failed; absent while it is still active. */
  endedAtEpochMs?: number;
}

export type Fault =
  | { operation: string; kind: 'throttle'; count: number; retryAfterSeconds?: number }
  | { operation: string; kind: 'internal'; count: number }
  | { operation: string; kind: 'unavailable'; count: number }
  | { operation: string; kind: 'createThenInternal'; count: number }
  | { operation: string; kind: 'slow'; count: number; delayMs: number }
  | { operation: string; kind: 'partialFailure'; count: number };

/** One entry that AWSEvents.PutEvents accepted. */
export interface RecordedEvent {
  EventId: string;
  Source?: string;
  DetailType?: string;
  Detail?: string;
  /** `default` when the entry named no bus, as EventBridge does. */
  EventBusName: string;
  /** Entry time in epoch seconds as the SDK sent it; absent when the caller set none. */
  Time?: number;
  Resources?: string[];
  recordedAtEpochMs: number;
}

export interface SimulatorOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free port. */
  port?: number;
  /** Region in app ARNs; default `us-east-1`. */
  region?: string;
  /** Account id in app ARNs; default `111122223333`. */
  accountId?: string;
  /** Account limits keyed `${AppType}/${InstanceType}`, e.g. `KernelGateway/ml.g5.xlarge`. */
  limits?: Record<string, number>;
  /** Limit for pairs missing from `limits`; default 10. */
  defaultLimit?: number;
  /** Time from CreateApp until Pending ends; default 2000 ms. */
  startupDelayMs?: number;
  /** Time from DeleteApp until Deleting ends; default 1000 ms. */
  deleteDelayMs?: number;
  /** Time after which Deleted and Failed records are purged; default 24 h. */
  retentionMs?: number;
  /** Clock in epoch ms; default `Date.now`. App status is derived from it on every read. */
  now?: () => number;
  /** Returns a FailureReason to make the app go Pending -> Failed; called once per CreateApp. */
  failStartup?: (app: AppIdentity) => string | undefined;
}

export interface SageMakerSimulator {
  /** Base URL, `http://127.0.0.1:PORT`, to use as the SDK client's `endpoint`. */
  url: string;
  port: number;
  close(): Promise<void>;
  /** Queues a fault; it applies to the next `count` calls of `operation` (`*` = any operation). */
  injectFault(fault: Fault): void;
  clearFaults(): void;
  setLimit(appType: string, instanceType: string, limit: number): void;
  /** Deletes an app as a person in Studio would: Deleting, then Deleted after deleteDelayMs. */
  deleteApp(identity: AppIdentity): void;
  /** Every stored app, Deleted and Failed ones included until they are purged. */
  listAppRecords(): SimulatedApp[];
  /** HTTP requests received per operation, SDK retries and faulted requests included. */
  callCounts(): Record<string, number>;
  /**
   * CreateApp requests received per identity key `DomainId/owner/AppType/AppName`, retries included.
   * Requests whose body lacks one of those members as a string are not counted here.
   */
  createAppCallsByIdentity?(): Record<string, number>;
  putEvents(): RecordedEvent[];
  /** Forgets apps, faults, call counts and recorded events; limits set with setLimit stay. */
  reset(): void;
}
