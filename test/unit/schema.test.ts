import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAppRequestSchema, effectiveInstanceType, toFieldErrors } from '../../functions/requests/schema';

const fixturesUrl = new URL('../../../shared/fixtures/requests/', import.meta.url);
const invalidUrl = new URL('invalid/', fixturesUrl);

function readJson(url: URL): unknown {
  return JSON.parse(readFileSync(url, 'utf8'));
}

function errorsOf(input: unknown) {
  const result = createAppRequestSchema.safeParse(input);
  return result.success ? [] : toFieldErrors(result.error, input);
}

const valid = {
  DomainId: 'd-abc123',
  UserProfileName: 'alice',
  AppType: 'KernelGateway',
  AppName: 'datascience-1',
  ResourceSpec: { InstanceType: 'ml.t3.medium' },
};

describe('createAppRequestSchema', () => {
  const validFixtures = readdirSync(fixturesUrl).filter((name) => name.endsWith('.json'));

  it.each(validFixtures)('accepts fixture %s', (name) => {
    expect(errorsOf(readJson(new URL(name, fixturesUrl)))).toEqual([]);
  });

  it.each([
    ['app-name-underscore.json', 'AppName', 'pattern'],
    ['both-owners.json', 'SpaceName', 'exactlyOneOwner'],
    ['duplicate-tag-keys.json', 'Tags', 'uniqueTagKeys'],
    ['jupyterserver-not-system.json', 'ResourceSpec.InstanceType', 'jupyterServerSystemOnly'],
    ['unknown-instance-type.json', 'ResourceSpec.InstanceType', 'enum'],
  ])('rejects fixture %s naming %s and rule %s', (name, field, rule) => {
    const errors = errorsOf(readJson(new URL(name, invalidUrl)));
    expect(errors).toContainEqual(expect.objectContaining({ field, rule }));
  });

  it('covers every invalid fixture', () => {
    expect(readdirSync(invalidUrl).filter((name) => name.endsWith('.json'))).toHaveLength(5);
  });

  it('matches patterns against the whole string', () => {
    expect(errorsOf({ ...valid, AppName: 'good-name_' })).toContainEqual(expect.objectContaining({ field: 'AppName', rule: 'pattern' }));
    expect(errorsOf({ ...valid, AppName: '-x' })).toContainEqual(expect.objectContaining({ field: 'AppName', rule: 'pattern' }));
    expect(errorsOf({ ...valid, DomainId: 'D-abc' })).toContainEqual(expect.objectContaining({ field: 'DomainId', rule: 'pattern' }));
  });

  it('rejects names longer than 63 characters', () => {
    expect(errorsOf({ ...valid, AppName: 'a'.repeat(64) })).toContainEqual(expect.objectContaining({ field: 'AppName', rule: 'maxLength' }));
    expect(errorsOf({ ...valid, AppName: 'a'.repeat(63) })).toEqual([]);
  });

  it('requires exactly one owner', () => {
    const { UserProfileName: _unused, ...withoutOwner } = valid;
    expect(errorsOf(withoutOwner)).toContainEqual(expect.objectContaining({ field: 'UserProfileName', rule: 'exactlyOneOwner' }));
  });

  it('reports missing members as required', () => {
    expect(errorsOf({ DomainId: 'd-abc' })).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'AppType', rule: 'required' }),
        expect.objectContaining({ field: 'AppName', rule: 'required' }),
      ]),
    );
  });

  it('rejects unknown members', () => {
    expect(errorsOf({ ...valid, Extra: 1 })).toContainEqual(expect.objectContaining({ field: 'Extra', rule: 'unknownField' }));
  });

  it('limits tags to the count the broker can send', () => {
    const tags = (count: number) => Array.from({ length: count }, (_, index) => ({ Key: `k${index}`, Value: 'v' }));
    expect(errorsOf({ ...valid, Tags: tags(49) })).toEqual([]);
    expect(errorsOf({ ...valid, Tags: tags(50) })).toContainEqual(expect.objectContaining({ field: 'Tags', rule: 'maxItems' }));
  });

  it('rejects tag keys the broker or AWS reserve', () => {
    expect(errorsOf({ ...valid, Tags: [{ Key: 'aws:team', Value: 'a' }] })).toContainEqual(expect.objectContaining({ field: 'Tags.0.Key', rule: 'reservedTagKey' }));
    expect(errorsOf({ ...valid, Tags: [{ Key: 'studio-app-broker:request-id', Value: 'a' }] })).toContainEqual(expect.objectContaining({ field: 'Tags.0.Key', rule: 'reservedTagKey' }));
  });

  it('accepts tag keys with unicode letters', () => {
    expect(errorsOf({ ...valid, Tags: [{ Key: 'équipe', Value: 'données' }] })).toEqual([]);
  });

  it('requires an instance type for KernelGateway', () => {
    expect(errorsOf({ ...valid, ResourceSpec: {} })).toContainEqual(expect.objectContaining({ field: 'ResourceSpec.InstanceType', rule: 'required' }));
  });

  it('requires a space and image for JupyterLab', () => {
    const errors = errorsOf({ DomainId: 'd-abc', UserProfileName: 'alice', AppType: 'JupyterLab', AppName: 'default' });
    expect(errors).toContainEqual(expect.objectContaining({ field: 'SpaceName', rule: 'required' }));
    expect(errors).toContainEqual(expect.objectContaining({ field: 'ResourceSpec.SageMakerImageArn', rule: 'required' }));
  });
});

describe('effectiveInstanceType', () => {
  it('counts KernelGateway system as ml.t3.medium', () => {
    expect(effectiveInstanceType({ AppType: 'KernelGateway', ResourceSpec: { InstanceType: 'system' } })).toBe('ml.t3.medium');
  });

  it('keeps system for JupyterServer', () => {
    expect(effectiveInstanceType({ AppType: 'JupyterServer', ResourceSpec: { InstanceType: 'system' } })).toBe('system');
  });
});
