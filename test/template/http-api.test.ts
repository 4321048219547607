import { beforeAll, describe, expect, it } from 'vitest';
import { ensurePackaged, FUNCTION_IDS, loadTemplate, resource, resourcesOfType, type Template } from './stack';

let template: Template;

beforeAll(async () => {
  await ensurePackaged();
  template = loadTemplate();
});

const EXPECTED_ROUTES = [
  'POST /apps',
  'GET /requests',
  'GET /requests/{id}',
  'DELETE /requests/{id}',
  'GET /domains/{domainId}/quota',
  'PUT /domains/{domainId}/quota',
  'GET /openapi.json',
];

describe('HTTP API', () => {
  it('serves exactly the broker routes', () => {
    const routeKeys = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties.RouteKey);

    expect(routeKeys.sort()).toEqual([...EXPECTED_ROUTES].sort());
  });

  it('requires IAM authorization on every route', () => {
    for (const [logicalId, route] of resourcesOfType(template, 'AWS::ApiGatewayV2::Route')) {
      expect(route.Properties.AuthorizationType, logicalId).toBe('AWS_IAM');
    }
  });

  it('sends every route to the submit function', () => {
    const integrations = resourcesOfType(template, 'AWS::ApiGatewayV2::Integration');

    expect(integrations).toHaveLength(1);
    expect(integrations[0]![1].Properties.IntegrationUri).toEqual({ 'Fn::GetAtt': [FUNCTION_IDS.submit, 'Arn'] });
    for (const [logicalId, route] of resourcesOfType(template, 'AWS::ApiGatewayV2::Route')) {
      expect(route.Properties.Target, logicalId).toEqual({ 'Fn::Join': ['/', ['integrations', { Ref: integrations[0]![0] }]] });
    }
  });

  it('uses payload format 2.0', () => {
    const integration = resourcesOfType(template, 'AWS::ApiGatewayV2::Integration')[0]![1];

    expect(integration.Properties.PayloadFormatVersion).toBe('2.0');
  });

  it('outputs its URL', () => {
    expect(template.Outputs.HttpApiUrl).toBeDefined();
    expect(resource(template, 'HttpApi').Type).toBe('AWS::ApiGatewayV2::Api');
  });
});
