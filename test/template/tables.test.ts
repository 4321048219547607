import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { idempotencyTableDefinition, quotasTableDefinition, requestsTableDefinition } from '../../infra/tables';
import { ensurePackaged, loadTemplate, resource, resourcesOfType, type Template } from './stack';

let template: Template;

beforeAll(async () => {
  await ensurePackaged();
  template = loadTemplate();
});

const TABLES = [
  { logicalId: 'RequestsTable', name: 'studio-app-broker-ci-requests', definition: requestsTableDefinition, ttlAttribute: 'ttlEpochSeconds' },
  { logicalId: 'QuotasTable', name: 'studio-app-broker-ci-quotas', definition: quotasTableDefinition, ttlAttribute: undefined },
  { logicalId: 'IdempotencyTable', name: 'studio-app-broker-ci-idempotency', definition: idempotencyTableDefinition, ttlAttribute: 'expiration' },
];

const byName = <T extends { AttributeName?: string; IndexName?: string }>(items: T[] = []): T[] =>
  [...items].sort((a, b) => (a.IndexName ?? a.AttributeName ?? '').localeCompare(b.IndexName ?? b.AttributeName ?? ''));

function keysAndIndexesOf(definition: CreateTableCommandInput) {
  return {
    AttributeDefinitions: byName(definition.AttributeDefinitions),
    KeySchema: definition.KeySchema,
    GlobalSecondaryIndexes: definition.GlobalSecondaryIndexes ? byName(definition.GlobalSecondaryIndexes) : undefined,
  };
}

describe('DynamoDB tables', () => {
  it('declares exactly the three broker tables', () => {
    const tableIds = resourcesOfType(template, 'AWS::DynamoDB::Table').map(([logicalId]) => logicalId);

    expect(tableIds.sort()).toEqual(TABLES.map((table) => table.logicalId).sort());
  });

  for (const table of TABLES) {
    describe(table.logicalId, () => {
      it('is named after service and stage', () => {
        expect(resource(template, table.logicalId).Properties.TableName).toBe(table.name);
      });

      it('has the keys and indexes of infra/tables.ts', () => {
        const properties = resource(template, table.logicalId).Properties;
        const declared = keysAndIndexesOf({
          TableName: properties.TableName,
          AttributeDefinitions: properties.AttributeDefinitions,
          KeySchema: properties.KeySchema,
          GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes,
        });

        expect(declared).toEqual(keysAndIndexesOf(table.definition(table.name)));
      });

      it('bills per request', () => {
        expect(resource(template, table.logicalId).Properties.BillingMode).toBe('PAY_PER_REQUEST');
      });

      it('has point-in-time recovery', () => {
        const recovery = resource(template, table.logicalId).Properties.PointInTimeRecoverySpecification;

        expect(recovery).toEqual({ PointInTimeRecoveryEnabled: true });
      });

      it('is encrypted with KMS', () => {
        expect(resource(template, table.logicalId).Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
      });

      it(table.ttlAttribute ? `expires items on ${table.ttlAttribute}` : 'has no TTL', () => {
        const ttl = resource(template, table.logicalId).Properties.TimeToLiveSpecification;
        const expected = table.ttlAttribute ? { AttributeName: table.ttlAttribute, Enabled: true } : undefined;

        expect(ttl).toEqual(expected);
      });
    });
  }

  it('retains requests and quotas when the stack is deleted', () => {
    expect(resource(template, 'RequestsTable')).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(resource(template, 'QuotasTable')).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});
