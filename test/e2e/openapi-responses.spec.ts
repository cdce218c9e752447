import { startApiApp } from '../support/app';

/** The import's routes answer files and are described by their own module (not changed here). */
const EXEMPT = new Set(['post /v1/users/import', 'get /v1/users/import/template']);

describe('the OpenAPI document', () => {
  it('gives every route a schema for its success answer, so a typed client can be generated', async () => {
    const app = await startApiApp();
    try {
      const document = (await (await fetch(`${app.baseUrl}/docs-json`)).json()) as {
        paths: Record<
          string,
          Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
        >;
      };
      const missing: string[] = [];
      let routes = 0;
      for (const [path, operations] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          routes += 1;
          if (EXEMPT.has(`${method} ${path}`)) continue;
          const success = Object.entries(operation.responses).filter(([code]) => code.startsWith('2'));
          const described = success.some(
            ([code, response]) =>
              code === '204' || Object.values(response.content ?? {}).some((media) => media.schema),
          );
          if (!described) missing.push(`${method.toUpperCase()} ${path}`);
        }
      }
      expect(routes).toBeGreaterThan(15);
      expect(missing).toEqual([]);
    } finally {
      await app.stopAll();
    }
  });
});
