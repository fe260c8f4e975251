/** The HTTP API (API Gateway v2) and its `$default` stage with JSON access logs and default throttling. */
import type { Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, LogGroupLogDestination, type HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { defaultThrottleClass, throttleClasses } from '../../shared/topology.ts';

export function createHttpApi(stack: Stack): { api: HttpApi; apiStage: HttpStage } {
  const accessLogs = new LogGroup(stack, 'ApiAccessLogs', { retention: RetentionDays.ONE_MONTH });
  const api = new HttpApi(stack, 'HttpApi', {
    description: 'Collections: admin API and payment webhooks',
    createDefaultStage: false,
  });
  const apiStage = api.addStage('DefaultStage', {
    stageName: '$default',
    autoDeploy: true,
    // Default route throttling (any route without its own settings); every manifest route gets its class's in stack.ts.
    throttle: throttleClasses[defaultThrottleClass],
    accessLogSettings: {
      destination: new LogGroupLogDestination(accessLogs),
      format: AccessLogFormat.custom(
        JSON.stringify({
          requestId: '$context.requestId',
          ip: '$context.identity.sourceIp',
          requestTime: '$context.requestTime',
          httpMethod: '$context.httpMethod',
          routeKey: '$context.routeKey',
          path: '$context.path',
          status: '$context.status',
          protocol: '$context.protocol',
          responseLength: '$context.responseLength',
          responseLatency: '$context.responseLatency',
          integrationLatency: '$context.integrationLatency',
          integrationError: '$context.integrationErrorMessage',
          userAgent: '$context.identity.userAgent',
        }),
      ),
    },
  });
  return { api, apiStage };
}
