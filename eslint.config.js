// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.data/', 'coverage/', 'bench/results*.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name=/^(only|skip)$/]", message: 'No focused or skipped tests.' },
      ],
    },
  },
  {
    // Domain code is pure: no AWS SDK, no Stripe SDK, no clock; it imports nothing from store, services, adapters or http.
    files: ['shared/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@aws-sdk/*', 'stripe'], message: 'Domain code is pure: no AWS or Stripe SDK (use an adapter from a service).' },
            { group: ['**/store/*', '**/services/*', '**/adapters/*', '**/http/*'], message: 'Domain code imports nothing from store, services, adapters or http.' },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Domain code takes now as a parameter.' },
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Domain code takes now as a parameter.' },
      ],
    },
  },
  {
    // Configuration is read once, in one place: shared/config/runtime.ts (every variable declared in shared/topology.ts).
    files: ['shared/**/*.ts', 'functions/**/*.ts'],
    ignores: ['shared/config/runtime.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through shared/config/runtime.ts (declared in shared/topology.ts).' },
      ],
    },
  },
  {
    // Services speak use-case errors (shared/services/errors.ts; the HTTP edge maps them to status codes) and leave
    // DynamoDB to shared/store: no shared/http, no AWS SDK.
    files: ['shared/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/http/*'], message: 'Services throw use-case errors (./errors.ts); only shared/http maps them to HTTP.' },
            { group: ['@aws-sdk/*'], message: 'Services do not talk to AWS: DynamoDB belongs in shared/store, other AWS calls in shared/adapters.' },
          ],
        },
      ],
    },
  },
  {
    // Handlers turn an event into a service call and its result into a response: they never read the store.
    files: ['functions/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/shared/store/*'], message: 'Handlers call services (e.g. shared/services/queries.ts), never shared/store.' }] }],
    },
  },
);
