import { branding } from '../../shared/config/runtime.ts';
import { renderDocsPage } from '../../shared/http/docs-page.ts';
import { httpHandler, json } from '../../shared/http/api.ts';
import { openApiDocument, type OpenApiDocument } from '../../shared/http/openapi.ts';

/** Built once per container: the document depends only on the deployed code. */
let doc: OpenApiDocument | undefined;
const document = () => (doc ??= openApiDocument());

export const handler = httpHandler({
  'GET /openapi.json': async () => json(200, document(), { 'cache-control': 'public, max-age=300' }),
  'GET /docs': async () => ({
    statusCode: 200,
    // The security headers (CSP with the page's style hash, nosniff, no referrer) are added by httpHandler.
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=300' },
    body: renderDocsPage(document(), branding()),
  }),
});
