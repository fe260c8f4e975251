import { httpHandler, type Route } from '../../shared/http/api.ts';
import { portalNotBuilt, portalRoutes } from '../../shared/http/portal.ts';
import { functions } from '../../shared/topology.ts';
import { accountRoutes, signInRoutes } from './account.ts';
import { caseworkRoutes } from './casework.ts';

/**
 * The customer portal (one function, every `/portal…` route of the topology): sign-in without a session, then the
 * signed-in routes behind the portal edge (session cookie, CSRF on POST): the account pages (./account.ts) and the
 * casework forms (disputes, promises, questions).
 */
const signedIn = portalRoutes({ ...accountRoutes, ...caseworkRoutes });
const composed: Record<string, Route> = { ...signInRoutes, ...signedIn };

// A topology route without a handler yet answers the portal's 404 page behind the same session check, never a crash.
const declared = functions.find((f) => f.name === 'portal')?.triggers.flatMap((t) => (t.type === 'http' ? [`${t.method} ${t.path}`] : [])) ?? [];
const missing = portalRoutes(Object.fromEntries(declared.filter((k) => !(k in composed)).map((k) => [k, portalNotBuilt])));

export const handler = httpHandler({ ...missing, ...composed });
