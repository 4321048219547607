import {
  CreateAppCommand,
  DescribeAppCommand,
  ListTagsCommand,
  SageMakerClient,
  type DescribeAppCommandOutput,
} from '@aws-sdk/client-sagemaker';
import type { BrokerConfig } from '../shared/config';
import { tracer } from '../shared/observability';
import { REQUEST_ID_TAG_KEY, type CreateAppRequest } from '../requests/schema';

export { REQUEST_ID_TAG_KEY };

export function createSageMakerClient(config: BrokerConfig): SageMakerClient {
  return tracer.captureAWSv3Client(
    new SageMakerClient({ region: config.region, endpoint: config.endpoints.sagemaker, maxAttempts: config.sageMakerMaxAttempts }),
  );
}

/** Builds the CreateApp input the broker sends: the caller's input plus the request-id tag, identical on every attempt. */
export function toCreateAppInput(input: CreateAppRequest, requestId: string): CreateAppRequest {
  const callerTags = (input.Tags ?? []).filter((tag) => tag.Key !== REQUEST_ID_TAG_KEY);
  return { ...input, Tags: [...callerTags, { Key: REQUEST_ID_TAG_KEY, Value: requestId }] };
}

/** Calls CreateApp and returns the AppArn; SageMaker's errors are thrown as the SDK raised them. */
export async function createApp(client: SageMakerClient, input: CreateAppRequest, requestId: string): Promise<string> {
  const output = await client.send(new CreateAppCommand(toCreateAppInput(input, requestId)));
  if (!output.AppArn) throw new Error(`CreateApp returned no AppArn for request ${requestId}`);
  return output.AppArn;
}

export type AppIdentityInput = Pick<CreateAppRequest, 'DomainId' | 'AppType' | 'AppName' | 'UserProfileName' | 'SpaceName'>;

export async function describeApp(client: SageMakerClient, identity: AppIdentityInput): Promise<DescribeAppCommandOutput> {
  return client.send(
    new DescribeAppCommand({
      DomainId: identity.DomainId,
      AppType: identity.AppType,
      AppName: identity.AppName,
      UserProfileName: identity.UserProfileName,
      SpaceName: identity.SpaceName,
    }),
  );
}

/** Ownership of an existing app with the request's identity, decided from the broker's tag. */
export type Ownership = { owner: 'this-request'; appArn: string; status?: string } | { owner: 'other'; appArn?: string; status?: string; ownerRequestId?: string };

/**
 * Decides whether the live app with the request's identity was created by this request, after
 * CreateApp returned ResourceInUse. CreateApp has no idempotency token, so an earlier attempt of
 * the same request (a retried call, a worker that died before recording) may have created it.
 */
export async function findAppOwnership(client: SageMakerClient, identity: AppIdentityInput, requestId: string): Promise<Ownership> {
  const app = await describeApp(client, identity);
  if (!app.AppArn) return { owner: 'other', status: app.Status };

  const tags = await client.send(new ListTagsCommand({ ResourceArn: app.AppArn }));
  const ownerRequestId = tags.Tags?.find((tag) => tag.Key === REQUEST_ID_TAG_KEY)?.Value;
  const isLive = app.Status !== 'Deleted' && app.Status !== 'Failed';
  if (ownerRequestId === requestId && isLive) return { owner: 'this-request', appArn: app.AppArn, status: app.Status };
  return { owner: 'other', appArn: app.AppArn, status: app.Status, ownerRequestId };
}
