import { serve } from 'inngest/next';
import { getDb } from '../db/client';
import { createWebClient, createWebFunctions } from './inngest';

/**
 * The Inngest endpoint of the web app (production engine): the orchestrator and the progress
 * recorder. Mounted by app/api/inngest/route.ts:
 *   export { GET, POST, PUT } from '@/server/workflows/serve';
 * Inngest (Cloud, or a self-hosted server at INNGEST_BASE_URL) calls it, signed with
 * INNGEST_SIGNING_KEY. The worker functions are served by the GPU hosts (npm run worker).
 */
const client = createWebClient();
export const { GET, POST, PUT } = serve({ client, functions: createWebFunctions(client, getDb) });
