/**
 * `npm run invoke -- <function> [event.json] [name=value …]`: invokes one manifest function with a sample event
 * (default: its trigger's sample in events/) against the emulators of a running `npm start`, and prints the result.
 * Placeholders such as {{invoiceId}} take their values from name=value arguments.
 */
import { functionByName, queues, queueUrlEnvVar, type QueueId } from '../shared/topology.ts';
import { loadConfig } from './config.ts';
import { cliVars, defaultVars, renderFile, samplePath } from './events.ts';
import { invoke } from './invoke.ts';
import { localEnv } from './start.ts';

const [name, ...rest] = process.argv.slice(2);
if (!name) {
  console.error('usage: npm run invoke -- <function> [event.json] [name=value …]');
  process.exit(2);
}
const fn = functionByName(name);
const file = rest.find((a) => a.endsWith('.json')) ?? (fn.triggers[0] ? samplePath(fn.triggers[0], fn.name) : undefined);
if (!file) throw new Error(`${name} has no trigger and no event file was given`);
const config = loadConfig([]);
Object.assign(
  process.env,
  localEnv(config, {
    dynamodbEndpoint: `http://127.0.0.1:${config.dynamodbPort}`,
    sqsEndpoint: `http://127.0.0.1:${config.sqsPort}`,
    sesEndpoint: `http://127.0.0.1:${config.sesPort}`,
  }),
  // fauxqs's queue URLs, pointed at the emulator's address (as local/provision.ts does).
  Object.fromEntries(Object.keys(queues).map((id) => [queueUrlEnvVar(id as QueueId), `http://127.0.0.1:${config.sqsPort}/000000000000/${id}`])),
);
const vars = { ...defaultVars(new Date(), config.secrets), ...cliVars(rest) };
const event = renderFile(file, vars);
console.log(JSON.stringify(await invoke(fn, event), null, 2));
