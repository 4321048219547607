import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerApiError } from '../../functions/client';
import { isAdminPrincipal } from '../../functions/submit/access';
import { startTestBroker, type TestBroker } from '../support/broker';
import { ACCOUNT, ADMIN_ROLE_ARN, ADMIN_SESSION_ARN, clientFor, countCalls, kernelGatewayRequest, newCallerArn, newDomainId } from './helpers';

describe('isAdminPrincipal', () => {
  const admins = [ADMIN_ROLE_ARN, `arn:aws:iam::${ACCOUNT}:role/platform/PathAdmin`, `arn:aws:iam::${ACCOUNT}:user/ops`];

  it.each([
    ['an assumed-role session of an admin role', ADMIN_SESSION_ARN, true],
    ['a session of an admin role with a path', `arn:aws:sts::${ACCOUNT}:assumed-role/PathAdmin/bob`, true],
    ['an admin user', `arn:aws:iam::${ACCOUNT}:user/ops`, true],
    ['the admin role ARN itself', ADMIN_ROLE_ARN, true],
    ['a session of another role', `arn:aws:sts::${ACCOUNT}:assumed-role/Reader/alice`, false],
    ['a session of the role in another account', 'arn:aws:sts::444455556666:assumed-role/BrokerAdmin/alice', false],
    ['a session in another partition', `arn:aws-cn:sts::${ACCOUNT}:assumed-role/BrokerAdmin/alice`, false],
    ['a role whose name only starts like an admin', `arn:aws:sts::${ACCOUNT}:assumed-role/BrokerAdminX/alice`, false],
  ])('matches %s: %s', (_case, callerArn, expected) => {
    expect(isAdminPrincipal(callerArn, admins)).toBe(expected);
  });

  it('matches an assumed-role entry exactly', () => {
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/Ops/carol`;

    expect(isAdminPrincipal(session, [session])).toBe(true);
    expect(isAdminPrincipal(`arn:aws:sts::${ACCOUNT}:assumed-role/Ops/dave`, [session])).toBe(false);
  });
});

describe('caller access', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker({ env: { ADMIN_PRINCIPAL_ARNS: `${ADMIN_ROLE_ARN}, arn:aws:iam::${ACCOUNT}:user/ops` } });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  async function expectApiError(promise: Promise<unknown>, status: number, code: string): Promise<BrokerApiError> {
    const error = await promise.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(BrokerApiError);
    expect((error as BrokerApiError).status).toBe(status);
    expect((error as BrokerApiError).code).toBe(code);
    return error as BrokerApiError;
  }

  it('records the caller ARN on the request', async () => {
    const callerArn = newCallerArn();
    const owner = clientFor(broker, callerArn);

    const accepted = await owner.submit(kernelGatewayRequest());

    const stored = await broker.submitDeps.dynamo.send(
      new GetCommand({ TableName: broker.stack.config.requestsTableName, Key: { requestId: accepted.requestId } }),
    );
    expect(stored.Item?.callerArn).toBe(callerArn);
  });

  it("hides another caller's request as 404", async () => {
    const owner = clientFor(broker, newCallerArn());
    const stranger = clientFor(broker, newCallerArn());
    const accepted = await owner.submit(kernelGatewayRequest());

    const readError = await expectApiError(stranger.get(accepted.requestId), 404, 'NotFound');
    const cancelError = await expectApiError(stranger.cancel(accepted.requestId), 404, 'NotFound');
    const missingError = await expectApiError(stranger.get('no-such-request'), 404, 'NotFound');

    expect(readError.message).toBe(`Request ${accepted.requestId} was not found`);
    expect(cancelError.message).toBe(readError.message);
    expect(missingError.message).toBe('Request no-such-request was not found');
    expect((await owner.get(accepted.requestId)).state).toBe('QUEUED');
  });

  it('lists only the caller own requests from byCaller', async () => {
    const domainId = newDomainId();
    const ownerArn = newCallerArn();
    const owner = clientFor(broker, ownerArn);
    const other = clientFor(broker, newCallerArn());
    const mine = await owner.submit(kernelGatewayRequest({ DomainId: domainId }));
    await other.submit(kernelGatewayRequest({ DomainId: domainId }));
    const queries = countCalls(broker.submitDeps.dynamo);

    try {
      const all = await owner.list();
      const inDomain = await owner.list({ domainId });

      expect(all.items.map((item) => item.requestId)).toEqual([mine.requestId]);
      expect(inDomain.items.map((item) => item.requestId)).toEqual([mine.requestId]);
      const indexes = queries.commands.filter((command) => command.name === 'QueryCommand').map((command) => command.input.IndexName);
      expect(indexes).toEqual(['byCaller', 'byCaller']);
      expect(queries.commands.map((command) => command.name)).not.toContain('ScanCommand');
    } finally {
      queries.stop();
    }
  });

  it('lets an admin session read, list and cancel every request', async () => {
    const domainId = newDomainId();
    const owner = clientFor(broker, newCallerArn());
    const admin = clientFor(broker, ADMIN_SESSION_ARN);
    const first = await owner.submit(kernelGatewayRequest({ DomainId: domainId }));
    const second = await clientFor(broker, newCallerArn()).submit(kernelGatewayRequest({ DomainId: domainId }));
    const queries = countCalls(broker.submitDeps.dynamo);

    try {
      expect((await admin.get(first.requestId)).requestId).toBe(first.requestId);
      const listed = await admin.list({ domainId });
      expect(listed.items.map((item) => item.requestId)).toEqual([second.requestId, first.requestId]);
      const indexes = queries.commands.filter((command) => command.name === 'QueryCommand').map((command) => command.input.IndexName);
      expect(indexes).toEqual(['byDomain']);
    } finally {
      queries.stop();
    }
    expect((await admin.cancel(first.requestId)).state).toBe('CANCELLED');
    expect((await owner.get(first.requestId)).state).toBe('CANCELLED');
  });

  it('lets an admin user list by state from byState', async () => {
    const admin = clientFor(broker, `arn:aws:iam::${ACCOUNT}:user/ops`);
    const accepted = await clientFor(broker, newCallerArn()).submit(kernelGatewayRequest());

    const listed = await admin.list({ state: 'QUEUED', limit: 100 });

    expect(listed.items.every((item) => item.state === 'QUEUED')).toBe(true);
    expect(listed.items.map((item) => item.requestId)).toContain(accepted.requestId);
  });

  it('rejects an admin listing without a filter', async () => {
    const admin = clientFor(broker, ADMIN_SESSION_ARN);

    const error = await expectApiError(admin.list(), 400, 'FilterRequired');

    expect(error.details).toEqual([{ field: 'domainId', rule: 'required', message: 'is required for an admin listing unless state is set' }]);
  });

  it('lets only admins change quota policies', async () => {
    const domainId = newDomainId();
    const caller = clientFor(broker, newCallerArn());

    const error = await expectApiError(caller.putQuota(domainId, { maxActiveApps: 5 }), 403, 'Forbidden');

    expect(error.message).toContain('Only principals in ADMIN_PRINCIPAL_ARNS may change quota policies');
    expect((await caller.getQuota(domainId)).policy).toBeNull();
    expect((await clientFor(broker, ADMIN_SESSION_ARN).putQuota(domainId, { maxActiveApps: 5 })).policy).toEqual({ maxActiveApps: 5 });
  });
});
