/** vitest setup (every test file): the environment's compute settings, applied as the process entries do. */
import { applyRuntimeEnv } from '@/workers/functions/runtime-env';

await applyRuntimeEnv(process.env);
