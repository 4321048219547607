import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { createBrokerClient, type BrokerClient } from '../../functions/client';
import type { BrokerRequest } from '../../functions/requests/model';
import type { CreateAppRequest } from '../../functions/requests/schema';
import type { SubmitDeps } from '../../functions/submit/deps';
import { createSubmitHandler, type SubmitHandler } from '../../functions/submit/handler';
import { localLambdaContext } from '../../infra/local/lambda-context';
import type { TestBroker } from '../support/broker';

const fixturesUrl = new URL('../../../shared/fixtures/', import.meta.url);

export function readFixture<T = any>(relativePath: string): T {
  return JSON.parse(readFileSync(new URL(relativePath, fixturesUrl), 'utf8')) as T;
}

export const ACCOUNT = '111122223333';
export const ADMIN_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/BrokerAdmin`;
export const ADMIN_SESSION_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/BrokerAdmin/alice`;

/** Returns an assumed-role session ARN of a fresh role, so tests in one file do not see each other's requests. */
export function newCallerArn(role = 'Team'): string {
  return `arn:aws:sts::${ACCOUNT}:assumed-role/${role}${randomBytes(4).toString('hex')}/session`;
}

/** Returns a fresh, valid SageMaker domain id. */
export function newDomainId(): string {
  return `d-${randomBytes(6).toString('hex')}`;
}

/** Returns a valid KernelGateway CreateApp input in a fresh domain, or in the one given. */
export function kernelGatewayRequest(overrides: Partial<CreateAppRequest> = {}): CreateAppRequest {
  return {
    ...readFixture<CreateAppRequest>('requests/kernelgateway-datascience.json'),
    DomainId: newDomainId(),
    AppName: `app-${randomBytes(4).toString('hex')}`,
    ...overrides,
  };
}

export function clientFor(broker: TestBroker, callerArn: string): BrokerClient {
  return createBrokerClient({ baseUrl: broker.http.url, headers: { 'x-local-caller-arn': callerArn } });
}

/** Counts the SDK calls a client sends, with a middleware at the initialize step; `stop` removes it. */
export function countCalls(client: SQSClient | DynamoDBDocumentClient): { commands: { name: string; input: any }[]; stop(): void } {
  const name = `countCalls-${randomBytes(4).toString('hex')}`;
  const commands: { name: string; input: any }[] = [];
  // The two clients' stacks differ only in their command types, which this middleware ignores.
  const stack = client.middlewareStack as SQSClient['middlewareStack'];
  stack.add(
    (next, context) => async (args) => {
      commands.push({ name: String(context.commandName), input: args.input });
      return next(args);
    },
    { step: 'initialize', name },
  );
  return { commands, stop: () => void stack.remove(name) };
}

export async function storedRequests(broker: TestBroker): Promise<BrokerRequest[]> {
  const output = await broker.submitDeps.dynamo.send(new ScanCommand({ TableName: broker.stack.config.requestsTableName, ConsistentRead: true }));
  return (output.Items ?? []) as BrokerRequest[];
}

/** Receives up to ten work messages and returns their parsed bodies; they become visible again later. */
export async function receiveWorkMessages(broker: TestBroker): Promise<any[]> {
  const output = await broker.submitDeps.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: broker.stack.config.workQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  return (output.Messages ?? []).map((message) => JSON.parse(message.Body ?? 'null'));
}

/** A submit handler on the broker's engines, for events that the HTTP adapter cannot produce. */
export function directHandler(broker: TestBroker, deps: Partial<SubmitDeps> = {}): (event: unknown) => Promise<any> {
  const handler: SubmitHandler = createSubmitHandler({ ...broker.submitDeps, ...deps });
  return (event: unknown) => handler(event, localLambdaContext('submit') as Context);
}

/** Parses the JSON body of an HTTP result. */
export function bodyOf(result: { body?: string }): any {
  return JSON.parse(result.body ?? 'null');
}
