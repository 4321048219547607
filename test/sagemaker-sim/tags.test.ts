import { AddTagsCommand, CreateAppCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startSageMakerSimulator, type SageMakerSimulator } from '../../infra/sagemaker-sim';
import { caught, createClock, kernelGatewayRequest, sageMakerClient } from './helpers';

const clock = createClock();
let simulator: SageMakerSimulator;
let client: ReturnType<typeof sageMakerClient>;
let appArn: string;

beforeAll(async () => {
  simulator = await startSageMakerSimulator({ now: clock.now });
  client = sageMakerClient(simulator);
});

afterAll(async () => {
  client.destroy();
  await simulator.close();
});

beforeEach(async () => {
  simulator.reset();
  const tags = [{ Key: 'team', Value: 'fraud' }];
  const output = await client.send(new CreateAppCommand(kernelGatewayRequest('k1', 'ml.t3.medium', { Tags: tags })));
  appArn = output.AppArn ?? '';
});

describe('ListTags', () => {
  it('lists the tags given to CreateApp', async () => {
    const output = await client.send(new ListTagsCommand({ ResourceArn: appArn }));

    expect(output.Tags).toEqual([{ Key: 'team', Value: 'fraud' }]);
    expect(output.NextToken).toBeUndefined();
  });

  it('returns ResourceNotFound for an unknown ARN', async () => {
    const unknownArn = appArn.replace('/k1', '/k2');

    const error = await caught(() => client.send(new ListTagsCommand({ ResourceArn: unknownArn })));

    expect(error.name).toBe('ResourceNotFound');
    expect(error.message).toBe(`Resource ${unknownArn} does not exist.`);
  });

  it('rejects a malformed ARN', async () => {
    const error = await caught(() => client.send(new ListTagsCommand({ ResourceArn: 'not-an-arn' })));

    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe(
      "1 validation error detected: Value 'not-an-arn' at 'resourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:.+",
    );
  });
});

describe('AddTags', () => {
  it('adds tags and replaces existing values', async () => {
    const added = [
      { Key: 'team', Value: 'risk' },
      { Key: 'broker-request-id', Value: 'r-1' },
    ];

    const output = await client.send(new AddTagsCommand({ ResourceArn: appArn, Tags: added }));
    const listed = await client.send(new ListTagsCommand({ ResourceArn: appArn }));

    expect(output.Tags).toEqual(added);
    expect(listed.Tags).toEqual(added);
    expect(simulator.listAppRecords()[0]?.Tags).toEqual(added);
  });

  it('rejects more than 50 tags on one app', async () => {
    const tags = Array.from({ length: 50 }, (_, index) => ({ Key: `k${index}`, Value: 'v' }));

    const error = await caught(() => client.send(new AddTagsCommand({ ResourceArn: appArn, Tags: tags })));

    expect(error.name).toBe('ResourceLimitExceeded');
    expect(error.message).toBe(`Tag limit exceeded: ${appArn} would have 51 tags, but a resource can have at most 50.`);
  });

  it('rejects duplicate keys', async () => {
    const tags = [
      { Key: 'a', Value: '1' },
      { Key: 'a', Value: '2' },
    ];

    const error = await caught(() => client.send(new AddTagsCommand({ ResourceArn: appArn, Tags: tags })));

    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe("Tag keys must be unique, but Tags contains the key 'a' more than once.");
  });

  it('requires Tags', async () => {
    const error = await caught(() => client.send(new AddTagsCommand({ ResourceArn: appArn } as never)));

    expect(error.message).toBe("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
  });
});
