import { AppInstanceType, AppType } from '@aws-sdk/client-sagemaker';
import { z } from 'zod';

/**
 * Zod schema of SageMaker's CreateApp input, as boto3 and the AWS CLI send it (PascalCase).
 *
 * The enums come from the installed `@aws-sdk/client-sagemaker`, so a new instance type is
 * accepted as soon as the SDK lists it. Patterns are SageMaker's model patterns, matched
 * against the whole string; lengths are checked separately, as SageMaker does.
 */

type AppTypeValue = (typeof AppType)[keyof typeof AppType];
type AppInstanceTypeValue = (typeof AppInstanceType)[keyof typeof AppInstanceType];

const appTypes = Object.values(AppType) as [AppTypeValue, ...AppTypeValue[]];
const appInstanceTypes = Object.values(AppInstanceType) as [AppInstanceTypeValue, ...AppInstanceTypeValue[]];

function fullMatch(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

const NAME_PATTERN = '[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}';
const DOMAIN_ID_PATTERN = 'd-(-*[a-z0-9]){1,61}';
const TAG_PATTERN = '([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)';
const IMAGE_ARN_PATTERN = 'arn:aws(-[\\w]+)*:sagemaker:.+:[0-9]{12}:image/[a-zA-Z0-9]([-.]?[a-zA-Z0-9])*';
const IMAGE_VERSION_ARN_PATTERN =
  '(arn:aws(-[\\w]+)*:sagemaker:.+:[0-9]{12}:image-version/[a-z0-9]([-.]?[a-z0-9])*/[0-9]+|None)';
const IMAGE_VERSION_ALIAS_PATTERN =
  '(^\\d+$)|(^\\d+.\\d+$)|(^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$)';
const LIFECYCLE_CONFIG_ARN_PATTERN =
  '(arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:studio-lifecycle-config/.*|None)';
const TRAINING_PLAN_ARN_PATTERN = '(arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:training-plan/.*|None)';

function patterned(pattern: string, minLength: number, maxLength: number) {
  return z
    .string()
    .min(minLength, { message: `must have length at least ${minLength}` })
    .max(maxLength, { message: `must have length at most ${maxLength}` })
    .regex(fullMatch(pattern), { message: `must match the pattern ^${pattern}$` });
}

const nameSchema = patterned(NAME_PATTERN, 1, 63);

/** Tag key that the broker adds to every app it creates; callers may not set it. */
export const REQUEST_ID_TAG_KEY = 'studio-app-broker:request-id';

const tagSchema = z
  .object({
    Key: patterned(TAG_PATTERN, 1, 128).refine((key) => !key.startsWith('aws:') && key !== REQUEST_ID_TAG_KEY, {
      message: `must not start with 'aws:' or be '${REQUEST_ID_TAG_KEY}', which AWS and the broker reserve`,
      params: { rule: 'reservedTagKey' },
    }),
    Value: patterned(TAG_PATTERN, 0, 256),
  })
  .strict();

const resourceSpecSchema = z
  .object({
    SageMakerImageArn: patterned(IMAGE_ARN_PATTERN, 0, 256).optional(),
    SageMakerImageVersionArn: patterned(IMAGE_VERSION_ARN_PATTERN, 0, 256).optional(),
    SageMakerImageVersionAlias: patterned(IMAGE_VERSION_ALIAS_PATTERN, 1, 128).optional(),
    InstanceType: z.enum(appInstanceTypes, { message: 'must be one of the AppInstanceType values of the SageMaker API' }).optional(),
    LifecycleConfigArn: patterned(LIFECYCLE_CONFIG_ARN_PATTERN, 0, 256).optional(),
    TrainingPlanArn: patterned(TRAINING_PLAN_ARN_PATTERN, 0, 2048).optional(),
  })
  .strict();

/** SageMaker takes at most 50 tags and the broker adds its request-id tag, so callers may send 49. */
const MAX_TAGS = 49;

export const createAppRequestSchema = z
  .object({
    DomainId: patterned(DOMAIN_ID_PATTERN, 1, 63),
    UserProfileName: nameSchema.optional(),
    SpaceName: nameSchema.optional(),
    AppType: z.enum(appTypes, { message: 'must be one of the AppType values of the SageMaker API' }),
    AppName: nameSchema,
    Tags: z.array(tagSchema).max(MAX_TAGS, { message: `must have at most ${MAX_TAGS} items` }).optional(),
    ResourceSpec: resourceSpecSchema.optional(),
    RecoveryMode: z.boolean().optional(),
  })
  .strict()
  .superRefine(checkCrossFieldRules);

export type CreateAppRequest = z.infer<typeof createAppRequestSchema>;

type Draft = z.infer<z.ZodObject<(typeof createAppRequestSchema)['shape']>>;

/** Rules that involve more than one member: owner, unique tag keys and the app-type rules. */
function checkCrossFieldRules(request: Draft, context: z.core.$RefinementCtx<Draft>): void {
  const hasProfile = request.UserProfileName !== undefined;
  const hasSpace = request.SpaceName !== undefined;
  if (hasProfile === hasSpace) {
    context.addIssue({
      code: 'custom',
      path: hasProfile ? ['SpaceName'] : ['UserProfileName'],
      message: 'exactly one of UserProfileName and SpaceName must be set',
      params: { rule: 'exactlyOneOwner' },
    });
  }

  const keys = (request.Tags ?? []).map((tag) => tag.Key);
  const duplicateKey = keys.find((key, index) => keys.indexOf(key) !== index);
  if (duplicateKey !== undefined) {
    context.addIssue({
      code: 'custom',
      path: ['Tags'],
      message: `tag keys must be unique; '${duplicateKey}' appears more than once`,
      params: { rule: 'uniqueTagKeys' },
    });
  }

  checkAppTypeRules(request, context);
}

function checkAppTypeRules(request: Draft, context: z.core.$RefinementCtx<Draft>): void {
  const instanceType = request.ResourceSpec?.InstanceType;
  const addRule = (path: (string | number)[], rule: string, message: string) =>
    context.addIssue({ code: 'custom', path, message, params: { rule } });

  if (request.AppType === 'JupyterServer') {
    if (instanceType !== undefined && instanceType !== 'system') {
      addRule(['ResourceSpec', 'InstanceType'], 'jupyterServerSystemOnly', "must be 'system' for AppType JupyterServer");
    }
    if (request.AppName !== 'default') {
      addRule(['AppName'], 'jupyterServerDefaultName', "must be 'default' for AppType JupyterServer");
    }
  }

  if (request.AppType === 'KernelGateway' && instanceType === undefined) {
    addRule(['ResourceSpec', 'InstanceType'], 'required', 'is required for AppType KernelGateway because the broker cannot read domain defaults');
  }

  const inSpaceOnly = request.AppType === 'JupyterLab' || request.AppType === 'CodeEditor';
  if (inSpaceOnly && request.SpaceName === undefined) {
    addRule(['SpaceName'], 'required', `is required for AppType ${request.AppType}`);
  }
  if (inSpaceOnly && request.ResourceSpec?.SageMakerImageArn === undefined && request.ResourceSpec?.SageMakerImageVersionArn === undefined) {
    addRule(['ResourceSpec', 'SageMakerImageArn'], 'required', `is required for AppType ${request.AppType}`);
  }
  if (!inSpaceOnly && request.ResourceSpec?.TrainingPlanArn !== undefined) {
    addRule(['ResourceSpec', 'TrainingPlanArn'], 'jupyterLabOrCodeEditorOnly', 'is allowed only for AppType JupyterLab and CodeEditor');
  }
}

/** One failed rule of one field, as the API reports it. */
export interface FieldError {
  /** Dotted member path in the request, e.g. `ResourceSpec.InstanceType` or `Tags.1.Key`. */
  field: string;
  /** Short rule name: required, type, enum, pattern, minLength, maxLength, maxItems, unknownField, or a cross-field rule. */
  rule: string;
  message: string;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function ruleOf(issue: z.core.$ZodIssue, isMissing: boolean): string {
  switch (issue.code) {
    case 'invalid_type':
      return isMissing ? 'required' : 'type';
    case 'invalid_value':
      return isMissing ? 'required' : 'enum';
    case 'invalid_format':
      return 'pattern';
    case 'too_small':
      return issue.origin === 'array' ? 'minItems' : 'minLength';
    case 'too_big':
      return issue.origin === 'array' ? 'maxItems' : 'maxLength';
    case 'unrecognized_keys':
      return 'unknownField';
    case 'custom':
      return String((issue.params as { rule?: string } | undefined)?.rule ?? 'custom');
    default:
      return issue.code;
  }
}

function messageOf(issue: z.core.$ZodIssue, rule: string): string {
  if (issue.code === 'custom') return issue.message;
  if (rule === 'required') return 'is required';
  if (rule === 'type' && issue.code === 'invalid_type') return `must be of type ${issue.expected}`;
  return issue.message;
}

/** Turns zod issues on `input` into the API's field errors, one per failed rule and field. */
export function toFieldErrors(error: z.ZodError, input: unknown, pathPrefix: string[] = []): FieldError[] {
  return error.issues.flatMap((issue) => {
    const basePath = [...pathPrefix, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: [...basePath, key].join('.'),
        rule: 'unknownField',
        message: 'is not a member of the CreateApp input',
      }));
    }

    const isMissing = issue.code !== 'custom' && valueAt(input, issue.path) === undefined;
    const rule = ruleOf(issue, isMissing);
    return [{ field: basePath.join('.') || '(body)', rule, message: messageOf(issue, rule) }];
  });
}

/**
 * Returns the instance type that SageMaker counts the app against: KernelGateway's `system` is
 * ml.t3.medium. NOTE: JupyterLab and CodeEditor without an InstanceType are counted as
 * ml.t3.medium, the default of new spaces; a space configured with another default is miscounted.
 */
export function effectiveInstanceType(request: Pick<CreateAppRequest, 'AppType' | 'ResourceSpec'>): string {
  const instanceType = request.ResourceSpec?.InstanceType;
  const runsInSpace = request.AppType === 'JupyterLab' || request.AppType === 'CodeEditor';
  if (instanceType === undefined) return runsInSpace ? 'ml.t3.medium' : 'system';
  if (request.AppType === 'KernelGateway' && instanceType === 'system') return 'ml.t3.medium';
  return instanceType;
}
