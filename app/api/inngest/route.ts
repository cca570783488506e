// The Inngest serve endpoint of the web app (production engine): the orchestrator functions.
export { GET, POST, PUT } from '@/server/workflows/serve';
