/** Points this test worker's AWS clients (and the store modules) at the local stack's emulators. */
import { inject } from 'vitest';

const stack = inject('stack');
Object.assign(process.env, {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_ENDPOINT_URL_DYNAMODB: stack.dynamodbEndpoint,
  AWS_ENDPOINT_URL_SQS: stack.sqsEndpoint,
  AWS_ENDPOINT_URL_SESV2: stack.sesEndpoint,
  TABLE_NAME: stack.tableName,
  MAIL_FROM: 'billing@example.com',
  PAYMENTS_QUEUE_URL: stack.paymentsQueueUrl,
  ADMIN_API_KEY: stack.adminKey,
  STRIPE_WEBHOOK_SECRET: stack.stripeWebhookSecret,
  BANK_WEBHOOK_SECRET: stack.bankWebhookSecret,
  LINK_SIGNING_SECRET: stack.linkSigningSecret,
  STRIPE_API_KEY: 'sk_test_placeholder',
  PUBLIC_BASE_URL: stack.apiUrl,
  PAYEE_ACCOUNT: 'DE89 3704 0044 0532 0130 00',
});
