/** Points this test worker's AWS clients (and the store modules) at the local stack's emulators. */
import { inject } from 'vitest';
import { clientEnv } from '../../local/child-stack.ts';

Object.assign(process.env, clientEnv(inject('stack')));
