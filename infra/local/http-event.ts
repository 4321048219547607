import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2WithIAMAuthorizer } from 'aws-lambda';

export interface HttpEventInput {
  method: string;
  /** Path with an optional query string, e.g. `/requests?domainId=d-abc`. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  /** IAM principal ARN that API Gateway's aws_iam authorizer would report. */
  callerArn?: string;
}

/** Builds an API Gateway HTTP API event (payload format 2.0) with an IAM-authorized caller. */
export function buildHttpApiEvent(input: HttpEventInput): APIGatewayProxyEventV2WithIAMAuthorizer {
  const [rawPath = '/', rawQueryString = ''] = input.path.split('?', 2);
  const headers = Object.fromEntries(Object.entries(input.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const queryStringParameters = rawQueryString
    ? Object.fromEntries(new URLSearchParams(rawQueryString).entries())
    : undefined;
  const callerArn = input.callerArn ?? 'arn:aws:sts::111122223333:assumed-role/LocalDeveloper/local';
  const nowEpochMs = Date.now();

  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    queryStringParameters,
    requestContext: {
      accountId: '111122223333',
      apiId: 'local',
      authorizer: {
        iam: {
          accessKey: 'LOCALACCESSKEY',
          accountId: '111122223333',
          callerId: 'LOCAL:local',
          cognitoIdentity: null as never,
          principalOrgId: null as never,
          userArn: callerArn,
          userId: 'LOCAL:local',
        },
      },
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: input.method.toUpperCase(), path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? 'local' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date(nowEpochMs).toISOString(),
      timeEpoch: nowEpochMs,
    },
    body: input.body,
    isBase64Encoded: input.isBase64Encoded ?? false,
  };
}
