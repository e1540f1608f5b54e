/**
 * Which methods each path answers, so a known path asked with another method gets
 * `405 Method Not Allowed` with an `Allow` header (RFC 9110 §15.5.6) and `OPTIONS` gets
 * `204` with `Allow` (RFC 9110 §9.3.7), instead of a misleading 404 "no route".
 * Fastify's router matches only whole method+path pairs, so the index is kept here from
 * the `onRoute` hook.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Records every route registered on `app` after this call; returns the allowed methods of a concrete path. */
export function trackRouteMethods(app: FastifyInstance): (path: string) => string[] {
  const routes: { re: RegExp; methods: string[] }[] = [];
  app.addHook('onRoute', (route) => {
    const methods = ([] as string[]).concat(route.method);
    const source = route.url
      .split('/')
      .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    routes.push({ re: new RegExp(`^${source}$`), methods });
  });
  return (path) => [...new Set(routes.filter((r) => r.re.test(path)).flatMap((r) => r.methods))].sort();
}

/**
 * Answers a request no route matched: 204 + Allow for OPTIONS on a known path, 405 + Allow for
 * another method on a known path, else a JSON 404.
 */
export function answerUnmatched(allowedMethods: (path: string) => string[]) {
  return (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0];
    const allowed = allowedMethods(path);
    if (allowed.length === 0) {
      return reply.status(404).send({ error: { code: 'E_NOT_FOUND', message: `no route ${req.method} ${path}` } });
    }
    const allow = [...allowed, 'OPTIONS'].join(', ');
    if (req.method === 'OPTIONS') return reply.status(204).header('allow', allow).send();
    return reply
      .status(405)
      .header('allow', allow)
      .send({ error: { code: 'E_METHOD', message: `${req.method} is not allowed on ${path}; use ${allowed.join(' or ')}` } });
  };
}
