import { apiHandler, operation } from '../http/pipeline.ts';
import { json } from '../http/responses.ts';
import { checkDependencies } from '../wiring/health.ts';

export const getHealth = operation({
  run: async () => {
    const dependencies = await checkDependencies();
    const ok = Object.values(dependencies).every((status) => status === 'ok');
    return json(
      ok ? 200 : 503,
      { status: ok ? 'ok' : 'degraded', dependencies },
      { 'cache-control': 'no-store' },
    );
  },
});

export const handler = apiHandler({ 'GET /health': getHealth });
