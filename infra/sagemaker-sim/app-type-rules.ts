/**
 * CreateApp rules that depend on the AppType, as the ResourceSpec and CreateApp documentation
 * of the SageMaker API (2017-07-24) states them.
 */
import { validationError } from './errors';
import type { CreateAppInput } from './validation';
import type { ResourceSpec } from './types';

export interface AppSettings {
  /** ResourceSpec as DescribeApp returns it: the request's, with the default InstanceType filled in. */
  resourceSpec: ResourceSpec;
  /** Instance type the account limit is counted against. */
  effectiveInstanceType: string;
}

const SPACE_APP_TYPES = new Set(['JupyterLab', 'CodeEditor']);

/**
 * Default InstanceType of JupyterLab and CodeEditor apps created without one. Real spaces take it
 * from the space settings, which the simulator does not model.
 */
const SPACE_DEFAULT_INSTANCE_TYPE = 'ml.t3.medium';

function hasImage(spec: ResourceSpec): boolean {
  const hasVersionArn = spec.SageMakerImageVersionArn !== undefined && spec.SageMakerImageVersionArn !== 'None';
  return spec.SageMakerImageArn !== undefined || hasVersionArn;
}

function checkTrainingPlan(input: CreateAppInput, spec: ResourceSpec): void {
  const hasTrainingPlan = spec.TrainingPlanArn !== undefined && spec.TrainingPlanArn !== 'None';
  if (hasTrainingPlan && !SPACE_APP_TYPES.has(input.AppType)) {
    throw validationError(
      `ResourceSpec.TrainingPlanArn is supported only for App with type [JupyterLab] or [CodeEditor], not [${input.AppType}].`,
    );
  }
}

function resolveJupyterServer(input: CreateAppInput, spec: ResourceSpec): AppSettings {
  if (input.AppName !== 'default') {
    throw validationError(`App with type [JupyterServer] must have the AppName [default], but AppName is [${input.AppName}].`);
  }
  if (spec.InstanceType !== undefined && spec.InstanceType !== 'system') {
    throw validationError(
      `App with type [JupyterServer] supports only the InstanceType [system], but ResourceSpec.InstanceType is [${spec.InstanceType}].`,
    );
  }
  return { resourceSpec: { ...spec, InstanceType: 'system' }, effectiveInstanceType: 'system' };
}

/**
 * KernelGateway takes its InstanceType from the request, then the user profile, then the domain.
 * The simulator has no profile or domain settings, so the request must carry one.
 */
function resolveKernelGateway(spec: ResourceSpec): AppSettings {
  if (spec.InstanceType === undefined) {
    throw validationError(
      'App with type [KernelGateway] needs an InstanceType, but ResourceSpec.InstanceType is missing and neither the user profile nor the domain sets a default ResourceSpec.',
    );
  }
  const effectiveInstanceType = spec.InstanceType === 'system' ? 'ml.t3.medium' : spec.InstanceType;
  return { resourceSpec: { ...spec }, effectiveInstanceType };
}

function resolveSpaceApp(input: CreateAppInput, spec: ResourceSpec): AppSettings {
  if (input.SpaceName === undefined) {
    throw validationError(`App with type [${input.AppType}] must be created in a space: set SpaceName instead of UserProfileName.`);
  }
  if (!hasImage(spec)) {
    throw validationError(`SageMaker Image ARN is required for App with type [${input.AppType}]`);
  }
  const instanceType = spec.InstanceType ?? SPACE_DEFAULT_INSTANCE_TYPE;
  return { resourceSpec: { ...spec, InstanceType: instanceType }, effectiveInstanceType: instanceType };
}

/** Applies the AppType rules and returns the app's settings, or throws ValidationException. */
export function resolveAppSettings(input: CreateAppInput): AppSettings {
  const spec = input.ResourceSpec ?? {};
  checkTrainingPlan(input, spec);

  if (input.AppType === 'JupyterServer') {
    return resolveJupyterServer(input, spec);
  }
  if (input.AppType === 'KernelGateway') {
    return resolveKernelGateway(spec);
  }
  if (SPACE_APP_TYPES.has(input.AppType)) {
    return resolveSpaceApp(input, spec);
  }

  // NOTE: the CreateApp rules for TensorBoard, DetailedProfiler, Canvas, RStudioServerPro and
  // RSessionGateway are not public. These apps are accepted as sent, and count against `system`
  // when they give no InstanceType.
  const instanceType = spec.InstanceType ?? 'system';
  return { resourceSpec: { ...spec, InstanceType: instanceType }, effectiveInstanceType: instanceType };
}
