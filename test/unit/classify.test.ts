import { readFileSync } from 'node:fs';
import { ResourceInUse, ResourceLimitExceeded, SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { classifyCreateAppError } from '../../functions/sagemaker/classify';
import { parseLimitMessage } from '../../functions/sagemaker/limit-message';

const limitMessages = readFileSync(new URL('../../../shared/fixtures/rle-messages.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#'));

function serviceError(name: string, fault: 'client' | 'server', httpStatusCode: number, message = 'message'): SageMakerServiceException {
  return new SageMakerServiceException({ name, $fault: fault, $metadata: { httpStatusCode }, message });
}

describe('parseLimitMessage', () => {
  it('parses every recorded SageMaker wording', () => {
    expect(limitMessages).toHaveLength(5);
    for (const message of limitMessages) expect(parseLimitMessage(message)).toBeDefined();
  });

  it('reads the 2020 KernelGateway wording', () => {
    expect(parseLimitMessage(limitMessages[0] ?? '')).toEqual({
      quotaName: 'KernelGateway Apps running on ml.m5.12xlarge instance',
      limit: 0,
      currentUtilization: 0,
      requestDelta: 1,
      appType: 'KernelGateway',
      instanceType: 'ml.m5.12xlarge',
    });
  });

  it('reads the plural JupyterLab wording', () => {
    const parsed = parseLimitMessage(limitMessages[2] ?? '');
    expect(parsed?.appType).toBe('JupyterLab');
    expect(parsed?.instanceType).toBe('ml.p3.2xlarge');
  });

  it('reads a non-zero limit at full utilization', () => {
    const parsed = parseLimitMessage(limitMessages[3] ?? '');
    expect(parsed?.limit).toBe(2);
    expect(parsed?.currentUtilization).toBe(2);
  });

  it('leaves the app fields unset for other quotas', () => {
    const parsed = parseLimitMessage(limitMessages[4] ?? '');
    expect(parsed?.quotaName).toBe('ml.m4.xlarge for endpoint usage');
    expect(parsed?.appType).toBeUndefined();
  });

  it('returns undefined for other text', () => {
    expect(parseLimitMessage('Unable to start more Apps of AppType [KernelGateway]')).toBeUndefined();
  });
});

describe('classifyCreateAppError', () => {
  it('classifies a zero limit as quotaZero', () => {
    const result = classifyCreateAppError(new ResourceLimitExceeded({ message: limitMessages[1] ?? '', $metadata: {} }));
    expect(result.kind).toBe('quotaZero');
  });

  it('classifies a limit in use as atLimit', () => {
    const result = classifyCreateAppError(new ResourceLimitExceeded({ message: limitMessages[3] ?? '', $metadata: {} }));
    expect(result).toMatchObject({ kind: 'atLimit', limit: { limit: 2 } });
  });

  it('classifies unparseable ResourceLimitExceeded as atLimit without numbers', () => {
    const result = classifyCreateAppError(new ResourceLimitExceeded({ message: 'Unable to start more Apps', $metadata: {} }));
    expect(result).toEqual({ kind: 'atLimit', errorName: 'ResourceLimitExceeded', message: 'Unable to start more Apps', limit: undefined });
  });

  it('classifies ResourceInUse as inUse', () => {
    expect(classifyCreateAppError(new ResourceInUse({ message: 'exists', $metadata: {} })).kind).toBe('inUse');
  });

  it.each([
    ['ThrottlingException', 'client', 400],
    ['Unknown', 'client', 429],
    ['InternalFailure', 'server', 500],
    ['ServiceUnavailable', 'server', 503],
    ['NotImplemented', 'server', 501],
  ] as const)('classifies %s (%s, %i) as transient', (name, fault, status) => {
    expect(classifyCreateAppError(serviceError(name, fault, status)).kind).toBe('transient');
  });

  it('classifies network failures as transient', () => {
    const error = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyCreateAppError(error).kind).toBe('transient');
  });

  it.each(['ValidationException', 'AccessDeniedException', 'ResourceNotFound'])('classifies %s as rejected', (name) => {
    const result = classifyCreateAppError(serviceError(name, 'client', 400, 'bad input'));
    expect(result).toEqual({ kind: 'rejected', errorName: name, message: 'bad input' });
  });

  it('classifies an untyped 400 as unknown', () => {
    expect(classifyCreateAppError(serviceError('Unknown', 'client', 400)).kind).toBe('unknown');
  });

  it('classifies a parse failure and non-Error values as unknown', () => {
    expect(classifyCreateAppError(new SyntaxError('Unexpected token <')).kind).toBe('unknown');
    expect(classifyCreateAppError('boom')).toEqual({ kind: 'unknown', errorName: 'Unknown', message: 'boom' });
  });
});
