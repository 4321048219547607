import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * Key schemas and indexes of the broker's tables. The local stack creates the tables from these
 * definitions, and a template test checks that serverless.yml declares the same keys and indexes.
 */
export function requestsTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'requestId', AttributeType: 'S' },
      { AttributeName: 'domainId', AttributeType: 'S' },
      { AttributeName: 'state', AttributeType: 'S' },
      { AttributeName: 'callerArn', AttributeType: 'S' },
      { AttributeName: 'createdAtEpochMs', AttributeType: 'N' },
      { AttributeName: 'updatedAtEpochMs', AttributeType: 'N' },
    ],
    KeySchema: [{ AttributeName: 'requestId', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'byDomain',
        KeySchema: [
          { AttributeName: 'domainId', KeyType: 'HASH' },
          { AttributeName: 'createdAtEpochMs', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: 'byState',
        KeySchema: [
          { AttributeName: 'state', KeyType: 'HASH' },
          { AttributeName: 'updatedAtEpochMs', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: 'byCaller',
        KeySchema: [
          { AttributeName: 'callerArn', KeyType: 'HASH' },
          { AttributeName: 'createdAtEpochMs', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

export function quotasTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
  };
}

/** Table of Powertools idempotency records (partition key `id`, TTL on `expiration`). */
export function idempotencyTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  };
}
