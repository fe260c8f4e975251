import { httpHandler, type Route } from '../../shared/http/api.ts';
import { consoleNotBuilt, consoleRoutes } from '../../shared/http/console.ts';
import { functions } from '../../shared/topology.ts';
import { signInRoutes, signedInAuthRoutes } from './auth.ts';
import { caseworkRoutes } from './casework.ts';
import { customerRoutes } from './customers.ts';
import { homeRoutes } from './home.ts';
import { paymentRoutes } from './payments.ts';
import { staffDirectoryRoutes } from './staff.ts';

/**
 * The staff console (one function, every `/console…` route of the topology, and the staff directory's admin routes):
 * sign-in without a session, then the signed-in routes behind the console edge (session cookie, CSRF and role on
 * POST, the acting member recorded): home (worklist), customers and invoices, payments to review, casework
 * (questions, plans). Thin: services decide, shared/domain/console renders, shared/http/console.ts maps problems.
 */
const signedIn = consoleRoutes({ ...signedInAuthRoutes, ...homeRoutes, ...customerRoutes, ...paymentRoutes, ...caseworkRoutes });
const composed: Record<string, Route> = { ...staffDirectoryRoutes, ...signInRoutes, ...signedIn };

// A topology route without a handler yet answers the console's 404 page behind the same session check, never a crash.
const declared = functions.find((f) => f.name === 'console')?.triggers.flatMap((t) => (t.type === 'http' ? [`${t.method} ${t.path}`] : [])) ?? [];
const missing = consoleRoutes(Object.fromEntries(declared.filter((k) => !(k in composed)).map((k) => [k, consoleNotBuilt])));

export const handler = httpHandler({ ...missing, ...composed });
