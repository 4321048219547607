import { CreateAppCommand, ListAppsCommand, paginateListApps, type AppDetails } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startSageMakerSimulator, type SageMakerSimulator } from '../../infra/sagemaker-sim';
import { caught, createClock, kernelGatewayRequest, sageMakerClient } from './helpers';

const clock = createClock();
let simulator: SageMakerSimulator;
let client: ReturnType<typeof sageMakerClient>;

beforeAll(async () => {
  simulator = await startSageMakerSimulator({ now: clock.now, defaultLimit: 100 });
  client = sageMakerClient(simulator);
});

afterAll(async () => {
  client.destroy();
  await simulator.close();
});

beforeEach(() => {
  simulator.reset();
});

/** Creates `count` KernelGateway apps one millisecond apart, named app-00, app-01, … */
async function createApps(count: number, overrides = {}): Promise<string[]> {
  const names: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const name = `app-${String(index).padStart(2, '0')}`;
    await client.send(new CreateAppCommand(kernelGatewayRequest(name, 'ml.t3.medium', overrides)));
    clock.advance(1);
    names.push(name);
  }
  return names;
}

describe('ListApps pagination', () => {
  it('pages 25 apps with paginateListApps', async () => {
    const names = await createApps(25);
    const pageSizes: number[] = [];
    const listed: AppDetails[] = [];

    for await (const page of paginateListApps({ client, pageSize: 10 }, {})) {
      pageSizes.push(page.Apps?.length ?? 0);
      listed.push(...(page.Apps ?? []));
    }

    expect(pageSizes).toEqual([10, 10, 5]);
    expect(listed.map((app) => app.AppName)).toEqual(names);
  });

  it('omits NextToken on the last page', async () => {
    await createApps(10);

    const page = await client.send(new ListAppsCommand({}));

    expect(page.Apps).toHaveLength(10);
    expect(page.NextToken).toBeUndefined();
  });

  it('defaults MaxResults to 10', async () => {
    await createApps(11);

    const page = await client.send(new ListAppsCommand({}));

    expect(page.Apps).toHaveLength(10);
    expect(typeof page.NextToken).toBe('string');
  });

  it('sorts Descending by CreationTime', async () => {
    const names = await createApps(3);

    const page = await client.send(new ListAppsCommand({ SortOrder: 'Descending', SortBy: 'CreationTime' }));

    expect(page.Apps?.map((app) => app.AppName)).toEqual([...names].reverse());
  });

  it('returns AppDetails members', async () => {
    const createdAtEpochMs = clock.now();
    await createApps(1);

    const [app] = (await client.send(new ListAppsCommand({}))).Apps ?? [];

    expect(app).toEqual({
      DomainId: 'd-test000001',
      UserProfileName: 'alice',
      AppType: 'KernelGateway',
      AppName: 'app-00',
      Status: 'Pending',
      CreationTime: new Date(createdAtEpochMs),
      ResourceSpec: { InstanceType: 'ml.t3.medium' },
    });
  });
});

describe('ListApps filters', () => {
  beforeEach(async () => {
    await createApps(2);
    await createApps(1, { UserProfileName: 'bob' });
    await createApps(1, { DomainId: 'd-other00001' });
    await client.send(
      new CreateAppCommand({
        DomainId: 'd-test000001',
        SpaceName: 'space-1',
        AppType: 'JupyterLab',
        AppName: 'default',
        ResourceSpec: { SageMakerImageArn: 'arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu' },
      }),
    );
  });

  it('filters by DomainIdEquals', async () => {
    const page = await client.send(new ListAppsCommand({ DomainIdEquals: 'd-other00001' }));

    expect(page.Apps?.map((app) => app.DomainId)).toEqual(['d-other00001']);
  });

  it('filters by UserProfileNameEquals', async () => {
    const page = await client.send(new ListAppsCommand({ UserProfileNameEquals: 'bob' }));

    expect(page.Apps?.map((app) => [app.UserProfileName, app.AppName])).toEqual([['bob', 'app-00']]);
  });

  it('filters by SpaceNameEquals', async () => {
    const page = await client.send(new ListAppsCommand({ SpaceNameEquals: 'space-1' }));

    expect(page.Apps?.map((app) => [app.SpaceName, app.AppType])).toEqual([['space-1', 'JupyterLab']]);
  });

  it('rejects both owner filters', async () => {
    const error = await caught(() => client.send(new ListAppsCommand({ UserProfileNameEquals: 'bob', SpaceNameEquals: 'space-1' })));

    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe('UserProfileNameEquals and SpaceNameEquals cannot be used together. Set at most one of them.');
  });

  it('includes Deleted apps', async () => {
    clock.advance(2000);
    simulator.deleteApp({ DomainId: 'd-test000001', UserProfileName: 'alice', AppType: 'KernelGateway', AppName: 'app-00' });
    clock.advance(1000);

    const page = await client.send(new ListAppsCommand({ DomainIdEquals: 'd-test000001', UserProfileNameEquals: 'alice' }));

    expect(page.Apps?.map((app) => [app.AppName, app.Status])).toEqual([
      ['app-00', 'Deleted'],
      ['app-01', 'InService'],
    ]);
  });
});

describe('ListApps validation', () => {
  it.each([
    [0, "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    [101, "Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"],
  ])('rejects MaxResults %i', async (maxResults, violation) => {
    const error = await caught(() => client.send(new ListAppsCommand({ MaxResults: maxResults })));

    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe(`1 validation error detected: ${violation}`);
  });

  it('rejects a forged NextToken', async () => {
    const error = await caught(() => client.send(new ListAppsCommand({ NextToken: 'not-a-token' })));

    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe("Invalid NextToken 'not-a-token': pass the NextToken of a previous ListApps response unchanged.");
  });

  it('rejects an unknown SortOrder', async () => {
    const error = await caught(() => client.send(new ListAppsCommand({ SortOrder: 'Sideways' as never })));

    expect(error.message).toBe(
      "1 validation error detected: Value 'Sideways' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [Ascending, Descending]",
    );
  });
});
