/**
 * Input validation of the simulated operations, with the constraints of the SageMaker service model
 * (botocore `sagemaker/2017-07-24`). Enum value sets come from the installed SDK, so they follow
 * whatever SDK version the project has.
 */
import { AppInstanceType, AppSortKey, AppType, SortOrder } from '@aws-sdk/client-sagemaker';

import { Violations, requestObject } from './constraints';
import { validationError } from './errors';
import type { AppIdentity, ResourceSpec, Tag } from './types';

export const APP_TYPES: readonly string[] = Object.values(AppType);
export const APP_INSTANCE_TYPES: readonly string[] = Object.values(AppInstanceType);
const SORT_ORDERS: readonly string[] = Object.values(SortOrder);
const APP_SORT_KEYS: readonly string[] = Object.values(AppSortKey);

const DOMAIN_ID = { maxLength: 63, pattern: 'd-(-*[a-z0-9]){1,61}' };
const NAME = { maxLength: 63, pattern: '[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}' };
const TAG_TEXT_PATTERN = '([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)';
const RESOURCE_ARN = { maxLength: 256, pattern: 'arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:.+' };
const IMAGE_ARN_PATTERN = 'arn:aws(-[\\w]+)*:sagemaker:.+:[0-9]{12}:image/[a-zA-Z0-9]([-.]?[a-zA-Z0-9])*';
const IMAGE_VERSION_ARN_PATTERN =
  '(arn:aws(-[\\w]+)*:sagemaker:.+:[0-9]{12}:image-version/[a-z0-9]([-.]?[a-z0-9])*/[0-9]+|None)';
const IMAGE_VERSION_ALIAS_PATTERN =
  '(^\\d+$)|(^\\d+.\\d+$)|(^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$)';
const LIFECYCLE_CONFIG_ARN_PATTERN =
  '(arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:studio-lifecycle-config/.*|None)';
const TRAINING_PLAN_ARN_PATTERN = '(arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:training-plan/.*|None)';

export const MAX_TAGS_PER_RESOURCE = 50;

export interface CreateAppInput extends AppIdentity {
  Tags: Tag[];
  ResourceSpec?: ResourceSpec;
  RecoveryMode?: boolean;
}

export interface ListAppsInput {
  NextToken?: string;
  MaxResults: number;
  SortOrder: 'Ascending' | 'Descending';
  DomainIdEquals?: string;
  UserProfileNameEquals?: string;
  SpaceNameEquals?: string;
}

export interface ListTagsInput {
  ResourceArn: string;
}

export interface AddTagsInput {
  ResourceArn: string;
  Tags: Tag[];
}

/** Checks the five identity members shared by CreateApp, DescribeApp and DeleteApp. */
function checkIdentityMembers(violations: Violations, request: Record<string, unknown>): AppIdentity {
  const domainId = violations.string(request.DomainId, 'domainId', { required: true, ...DOMAIN_ID });
  const userProfileName = violations.string(request.UserProfileName, 'userProfileName', NAME);
  const spaceName = violations.string(request.SpaceName, 'spaceName', NAME);
  const appType = violations.string(request.AppType, 'appType', { required: true, enumValues: APP_TYPES });
  const appName = violations.string(request.AppName, 'appName', { required: true, ...NAME });

  const identity: AppIdentity = { DomainId: domainId ?? '', AppType: appType ?? '', AppName: appName ?? '' };
  if (userProfileName !== undefined) {
    identity.UserProfileName = userProfileName;
  }
  if (spaceName !== undefined) {
    identity.SpaceName = spaceName;
  }
  return identity;
}

function checkExactlyOneOwner(identity: AppIdentity): void {
  const hasUserProfile = identity.UserProfileName !== undefined;
  const hasSpace = identity.SpaceName !== undefined;
  if (hasUserProfile && hasSpace) {
    throw validationError('Exactly one of UserProfileName or SpaceName must be set, but both were given.');
  }
  if (!hasUserProfile && !hasSpace) {
    throw validationError('Exactly one of UserProfileName or SpaceName must be set, but neither was given.');
  }
}

function checkTags(violations: Violations, value: unknown, path: string, required: boolean): Tag[] {
  const items = violations.list(value, path, { required, maxLength: MAX_TAGS_PER_RESOURCE }) ?? [];
  const tags: Tag[] = [];

  items.forEach((item, index) => {
    const memberPath = `${path}.${index + 1}.member`;
    const tag = violations.structure(item, memberPath, true);
    if (tag === undefined) {
      return;
    }
    const key = violations.string(tag.Key, `${memberPath}.key`, {
      required: true,
      minLength: 1,
      maxLength: 128,
      pattern: TAG_TEXT_PATTERN,
    });
    const tagValue = violations.string(tag.Value, `${memberPath}.value`, {
      required: true,
      maxLength: 256,
      pattern: TAG_TEXT_PATTERN,
    });
    tags.push({ Key: key ?? '', Value: tagValue ?? '' });
  });
  return tags;
}

/** Rejects duplicate keys and keys with the `aws:` prefix, which AWS reserves for its own tags. */
function checkTagKeys(tags: readonly Tag[]): void {
  const seen = new Set<string>();
  for (const tag of tags) {
    if (seen.has(tag.Key)) {
      throw validationError(`Tag keys must be unique, but Tags contains the key '${tag.Key}' more than once.`);
    }
    seen.add(tag.Key);

    if (tag.Key.toLowerCase().startsWith('aws:')) {
      throw validationError(`Tag key '${tag.Key}' is invalid: the 'aws:' prefix is reserved for AWS use.`);
    }
  }
}

function checkResourceSpec(violations: Violations, value: unknown): ResourceSpec | undefined {
  const spec = violations.structure(value, 'resourceSpec');
  if (spec === undefined) {
    return undefined;
  }

  const checked: ResourceSpec = {};
  const members: Array<[keyof ResourceSpec, string | undefined]> = [
    ['SageMakerImageArn', violations.string(spec.SageMakerImageArn, 'resourceSpec.sageMakerImageArn', { maxLength: 256, pattern: IMAGE_ARN_PATTERN })],
    ['SageMakerImageVersionArn', violations.string(spec.SageMakerImageVersionArn, 'resourceSpec.sageMakerImageVersionArn', { maxLength: 256, pattern: IMAGE_VERSION_ARN_PATTERN })],
    ['SageMakerImageVersionAlias', violations.string(spec.SageMakerImageVersionAlias, 'resourceSpec.sageMakerImageVersionAlias', { minLength: 1, maxLength: 128, pattern: IMAGE_VERSION_ALIAS_PATTERN })],
    ['InstanceType', violations.string(spec.InstanceType, 'resourceSpec.instanceType', { enumValues: APP_INSTANCE_TYPES })],
    ['LifecycleConfigArn', violations.string(spec.LifecycleConfigArn, 'resourceSpec.lifecycleConfigArn', { maxLength: 256, pattern: LIFECYCLE_CONFIG_ARN_PATTERN })],
    ['TrainingPlanArn', violations.string(spec.TrainingPlanArn, 'resourceSpec.trainingPlanArn', { maxLength: 2048, pattern: TRAINING_PLAN_ARN_PATTERN })],
  ];
  for (const [member, memberValue] of members) {
    if (memberValue !== undefined) {
      checked[member] = memberValue;
    }
  }
  return checked;
}

/** Validates CreateApp members; the AppType rules are checked afterwards by `resolveAppSettings`. */
export function parseCreateAppInput(body: unknown): CreateAppInput {
  const request = requestObject(body);
  const violations = new Violations();

  const identity = checkIdentityMembers(violations, request);
  const tags = checkTags(violations, request.Tags, 'tags', false);
  const resourceSpec = checkResourceSpec(violations, request.ResourceSpec);
  const recoveryMode = violations.boolean(request.RecoveryMode, 'recoveryMode');
  violations.throwIfAny();

  checkExactlyOneOwner(identity);
  checkTagKeys(tags);

  const input: CreateAppInput = { ...identity, Tags: tags };
  if (resourceSpec !== undefined) {
    input.ResourceSpec = resourceSpec;
  }
  if (recoveryMode !== undefined) {
    input.RecoveryMode = recoveryMode;
  }
  return input;
}

/** Validates the input of DescribeApp and DeleteApp, which name one app. */
export function parseAppIdentity(body: unknown): AppIdentity {
  const request = requestObject(body);
  const violations = new Violations();

  const identity = checkIdentityMembers(violations, request);
  violations.throwIfAny();

  checkExactlyOneOwner(identity);
  return identity;
}

export function parseListAppsInput(body: unknown): ListAppsInput {
  const request = requestObject(body);
  const violations = new Violations();

  const nextToken = violations.string(request.NextToken, 'nextToken', { maxLength: 8192 });
  const maxResults = violations.integer(request.MaxResults, 'maxResults', { min: 1, max: 100 });
  const sortOrder = violations.string(request.SortOrder, 'sortOrder', { enumValues: SORT_ORDERS });
  violations.string(request.SortBy, 'sortBy', { enumValues: APP_SORT_KEYS });
  const domainIdEquals = violations.string(request.DomainIdEquals, 'domainIdEquals', DOMAIN_ID);
  const userProfileNameEquals = violations.string(request.UserProfileNameEquals, 'userProfileNameEquals', NAME);
  const spaceNameEquals = violations.string(request.SpaceNameEquals, 'spaceNameEquals', NAME);
  violations.throwIfAny();

  if (userProfileNameEquals !== undefined && spaceNameEquals !== undefined) {
    throw validationError('UserProfileNameEquals and SpaceNameEquals cannot be used together. Set at most one of them.');
  }

  const input: ListAppsInput = {
    MaxResults: maxResults ?? 10,
    SortOrder: sortOrder === 'Descending' ? 'Descending' : 'Ascending',
  };
  if (nextToken !== undefined) {
    input.NextToken = nextToken;
  }
  if (domainIdEquals !== undefined) {
    input.DomainIdEquals = domainIdEquals;
  }
  if (userProfileNameEquals !== undefined) {
    input.UserProfileNameEquals = userProfileNameEquals;
  }
  if (spaceNameEquals !== undefined) {
    input.SpaceNameEquals = spaceNameEquals;
  }
  return input;
}

export function parseListTagsInput(body: unknown): ListTagsInput {
  const request = requestObject(body);
  const violations = new Violations();

  const resourceArn = violations.string(request.ResourceArn, 'resourceArn', { required: true, ...RESOURCE_ARN });
  violations.string(request.NextToken, 'nextToken', { maxLength: 8192 });
  violations.integer(request.MaxResults, 'maxResults', { min: 50 });
  violations.throwIfAny();

  return { ResourceArn: resourceArn ?? '' };
}

export function parseAddTagsInput(body: unknown): AddTagsInput {
  const request = requestObject(body);
  const violations = new Violations();

  const resourceArn = violations.string(request.ResourceArn, 'resourceArn', { required: true, ...RESOURCE_ARN });
  const tags = checkTags(violations, request.Tags, 'tags', true);
  violations.throwIfAny();

  checkTagKeys(tags);
  return { ResourceArn: resourceArn ?? '', Tags: tags };
}
