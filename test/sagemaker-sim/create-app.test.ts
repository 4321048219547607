import { AppInstanceType, CreateAppCommand, DescribeAppCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startSageMakerSimulator, type SageMakerSimulator } from '../../infra/sagemaker-sim';
import { caught, createClock, invalidRequestFixtures, kernelGatewayRequest, sageMakerClient, validRequestFixtures } from './helpers';

const clock = createClock();
let simulator: SageMakerSimulator;
let client: ReturnType<typeof sageMakerClient>;

beforeAll(async () => {
  simulator = await startSageMakerSimulator({ now: clock.now, startupDelayMs: 2000, deleteDelayMs: 1000 });
  client = sageMakerClient(simulator);
});

afterAll(async () => {
  client.destroy();
  await simulator.close();
});

beforeEach(() => {
  simulator.reset();
});

describe('CreateApp with valid fixtures', () => {
  it.each(validRequestFixtures())('creates $name', async ({ input }) => {
    const owner = input.UserProfileName ?? input.SpaceName;

    const output = await client.send(new CreateAppCommand(input));

    const appTypeSegment = (input.AppType ?? '').toLowerCase();
    expect(output.AppArn).toBe(`arn:aws:sagemaker:us-east-1:111122223333:app/${input.DomainId}/${owner}/${appTypeSegment}/${input.AppName}`);
    const records = simulator.listAppRecords();
    expect(records).toHaveLength(1);
    expect(records[0]?.Status).toBe('Pending');
    expect(records[0]?.Tags).toEqual(input.Tags ?? []);
  });

  it('finds five valid fixtures', () => {
    expect(validRequestFixtures().map((fixture) => fixture.name)).toEqual([
      'codeeditor-space.json',
      'jupyterlab-space.json',
      'jupyterserver-default.json',
      'kernelgateway-datascience.json',
      'kernelgateway-gpu.json',
    ]);
  });
});

describe('CreateApp with invalid fixtures', () => {
  const instanceTypeList = Object.values(AppInstanceType).join(', ');
  const expectedMessages: Record<string, string> = {
    'app-name-underscore.json':
      "1 validation error detected: Value 'my_kernel' at 'appName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
    'both-owners.json': 'Exactly one of UserProfileName or SpaceName must be set, but both were given.',
    'duplicate-tag-keys.json': "Tag keys must be unique, but Tags contains the key 'team' more than once.",
    'jupyterserver-not-system.json':
      'App with type [JupyterServer] supports only the InstanceType [system], but ResourceSpec.InstanceType is [ml.t3.micro].',
    'unknown-instance-type.json': `1 validation error detected: Value 'ml.t2.medium' at 'resourceSpec.instanceType' failed to satisfy constraint: Member must satisfy enum value set: [${instanceTypeList}]`,
  };

  it('has an expected message for every fixture', () => {
    expect(invalidRequestFixtures().map((fixture) => fixture.name)).toEqual(Object.keys(expectedMessages).sort());
  });

  it.each(invalidRequestFixtures())('rejects $name', async ({ name, input }) => {
    const error = await caught(() => client.send(new CreateAppCommand(input)));

    expect(error.name).toBe('ValidationException');
    expect(error.$fault).toBe('client');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe(expectedMessages[name]);
    expect(simulator.listAppRecords()).toEqual([]);
  });
});

describe('CreateApp validation', () => {
  it('counts and joins several violations', async () => {
    const input = { AppName: 'x_', DomainId: 'd-ABC' } as never;

    const error = await caught(() => client.send(new CreateAppCommand(input)));

    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe(
      '3 validation errors detected: ' +
        "Value 'd-ABC' at 'domainId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^d-(-*[a-z0-9]){1,61}; " +
        "Value null at 'appType' failed to satisfy constraint: Member must not be null; " +
        "Value 'x_' at 'appName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
    );
  });

  it('rejects a 64-character name by length and pattern', async () => {
    const name = 'a'.repeat(64);

    const error = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest(name))));

    expect(error.message).toBe(
      '2 validation errors detected: ' +
        `Value '${name}' at 'appName' failed to satisfy constraint: Member must have length less than or equal to 63; ` +
        `Value '${name}' at 'appName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`,
    );
  });

  it('rejects an unknown AppType', async () => {
    const error = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest('k1', 'ml.t3.medium', { AppType: 'Bogus' as never }))));

    expect(error.message).toContain("Value 'Bogus' at 'appType' failed to satisfy constraint: Member must satisfy enum value set: [");
    expect(error.message).toContain('KernelGateway');
  });

  it('rejects a request without an owner', async () => {
    const error = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest('k1', 'ml.t3.medium', { UserProfileName: undefined }))));

    expect(error.message).toBe('Exactly one of UserProfileName or SpaceName must be set, but neither was given.');
  });

  it('rejects 51 tags', async () => {
    const tags = Array.from({ length: 51 }, (_, index) => ({ Key: `k${index}`, Value: 'v' }));

    const error = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest('k1', 'ml.t3.medium', { Tags: tags }))));

    expect(error.message).toMatch(/^1 validation error detected: Value '.*' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50$/);
  });

  it('names the tag member path', async () => {
    const tags = [{ Key: 'ok', Value: 'v' }, { Key: '', Value: 'bad{' }];

    const error = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest('k1', 'ml.t3.medium', { Tags: tags }))));

    expect(error.message).toBe(
      '2 validation errors detected: ' +
        "Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value 'bad{' at 'tags.2.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)",
    );
  });

  it('accepts unicode letters in tag values', async () => {
    const tags = [{ Key: 'équipe', Value: 'données 2024' }];

    await client.send(new CreateAppCommand(kernelGatewayRequest('k1', 'ml.t3.medium', { Tags: tags })));

    expect(simulator.listAppRecords()[0]?.Tags).toEqual(tags);
  });

  it('rejects a reserved aws: tag key', async () => {
    const tags = [{ Key: 'aws:createdBy', Value: 'me' }];

    const error = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest('k1', 'ml.t3.medium', { Tags: tags }))));

    expect(error.message).toBe("Tag key 'aws:createdBy' is invalid: the 'aws:' prefix is reserved for AWS use.");
  });

  it('returns SerializationException for a wrongly typed member', async () => {
    const error = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest('k1', 'ml.t3.medium', { RecoveryMode: 'yes' as never }))));

    expect(error.name).toBe('SerializationException');
    expect(error.message).toBe("Expected a boolean at 'recoveryMode' but found string.");
  });
});

describe('CreateApp AppType rules', () => {
  const jupyterLab = {
    DomainId: 'd-test000001',
    SpaceName: 'space-1',
    AppType: 'JupyterLab' as const,
    AppName: 'default',
    ResourceSpec: { SageMakerImageArn: 'arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu' },
  };

  it('rejects JupyterServer not named default', async () => {
    const input = { DomainId: 'd-test000001', UserProfileName: 'alice', AppType: 'JupyterServer' as const, AppName: 'other' };

    const error = await caught(() => client.send(new CreateAppCommand(input)));

    expect(error.message).toBe('App with type [JupyterServer] must have the AppName [default], but AppName is [other].');
  });

  it('rejects KernelGateway without InstanceType', async () => {
    const error = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest('k1', 'ml.t3.medium', { ResourceSpec: {} }))));

    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('App with type [KernelGateway] needs an InstanceType');
  });

  it('counts KernelGateway system as ml.t3.medium', async () => {
    await client.send(new CreateAppCommand(kernelGatewayRequest('k1', 'system')));

    const record = simulator.listAppRecords()[0];
    expect(record?.effectiveInstanceType).toBe('ml.t3.medium');
    expect(record?.ResourceSpec.InstanceType).toBe('system');
  });

  it('rejects JupyterLab for a user profile', async () => {
    const input = { ...jupyterLab, SpaceName: undefined, UserProfileName: 'alice' };

    const error = await caught(() => client.send(new CreateAppCommand(input)));

    expect(error.message).toBe('App with type [JupyterLab] must be created in a space: set SpaceName instead of UserProfileName.');
  });

  it('rejects CodeEditor without an image', async () => {
    const input = { ...jupyterLab, AppType: 'CodeEditor' as const, ResourceSpec: { InstanceType: 'ml.t3.medium' as const } };

    const error = await caught(() => client.send(new CreateAppCommand(input)));

    expect(error.message).toBe('SageMaker Image ARN is required for App with type [CodeEditor]');
  });

  it('defaults JupyterLab to ml.t3.medium', async () => {
    await client.send(new CreateAppCommand(jupyterLab));

    expect(simulator.listAppRecords()[0]?.effectiveInstanceType).toBe('ml.t3.medium');
  });

  it('rejects TrainingPlanArn on KernelGateway', async () => {
    const resourceSpec = { InstanceType: 'ml.g5.xlarge' as const, TrainingPlanArn: 'arn:aws:sagemaker:us-east-1:111122223333:training-plan/p1' };

    const error = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest('k1', 'ml.g5.xlarge', { ResourceSpec: resourceSpec }))));

    expect(error.message).toBe('ResourceSpec.TrainingPlanArn is supported only for App with type [JupyterLab] or [CodeEditor], not [KernelGateway].');
  });

  it('accepts TrainingPlanArn on JupyterLab', async () => {
    const resourceSpec = { ...jupyterLab.ResourceSpec, TrainingPlanArn: 'arn:aws:sagemaker:us-east-1:111122223333:training-plan/p1' };

    await client.send(new CreateAppCommand({ ...jupyterLab, ResourceSpec: resourceSpec }));

    expect(simulator.listAppRecords()[0]?.ResourceSpec.TrainingPlanArn).toBe(resourceSpec.TrainingPlanArn);
  });
});

describe('CreateApp identity conflicts', () => {
  const identity = { DomainId: 'd-test000001', UserProfileName: 'alice', AppType: 'KernelGateway' as const, AppName: 'k1' };

  it.each([
    ['Pending', 0],
    ['InService', 2000],
  ])('returns ResourceInUse while %s', async (status, advanceMs) => {
    await client.send(new CreateAppCommand(kernelGatewayRequest('k1')));
    clock.advance(advanceMs);

    const error = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest('k1'))));

    expect(error.name).toBe('ResourceInUse');
    expect(error.message).toBe(`App [k1] of type [KernelGateway] for UserProfile [alice] in domain [d-test000001] already exists with status [${status}].`);
  });

  it('returns ResourceInUse while Deleting', async () => {
    await client.send(new CreateAppCommand(kernelGatewayRequest('k1')));
    clock.advance(2000);
    simulator.deleteApp(identity);

    const error = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest('k1'))));

    expect(error.name).toBe('ResourceInUse');
    expect(error.message).toContain('already exists with status [Deleting]');
  });

  it('re-creates after Deleted', async () => {
    await client.send(new CreateAppCommand(kernelGatewayRequest('k1')));
    clock.advance(2000);
    simulator.deleteApp(identity);
    clock.advance(1000);

    await client.send(new CreateAppCommand(kernelGatewayRequest('k1')));

    const described = await client.send(new DescribeAppCommand(identity));
    expect(described.Status).toBe('Pending');
    expect(described.CreationTime?.getTime()).toBe(clock.now());
    expect(simulator.listAppRecords()).toHaveLength(1);
  });

  it('treats another owner as another app', async () => {
    await client.send(new CreateAppCommand(kernelGatewayRequest('k1')));

    await client.send(new CreateAppCommand(kernelGatewayRequest('k1', 'ml.t3.medium', { UserProfileName: 'bob' })));

    expect(simulator.listAppRecords().map((app) => app.UserProfileName)).toEqual(['alice', 'bob']);
  });
});
