import { createCallerFactory, router } from './init';
import { authRouter } from './routers/auth';
import { workspaceRouter } from './routers/workspace';
import { memberRouter } from './routers/member';
import { experimentRouter } from './routers/experiment';
import { artifactRouter } from './routers/artifact';
import { dashboardsRouter } from './routers/dashboards';
import { publicationsRouter } from './routers/publications';
import { commentsRouter } from './routers/comments';
import { activityRouter } from './routers/activity';
import { runsRouter } from './routers/runs';
import { humansRouter } from './routers/humans';

/** The whole API. Add a resource as routers/<name>.ts and mount it here. */
export const appRouter = router({
  auth: authRouter,
  workspace: workspaceRouter,
  member: memberRouter,
  experiment: experimentRouter,
  artifact: artifactRouter,
  dashboards: dashboardsRouter,
  publications: publicationsRouter,
  comments: commentsRouter,
  activity: activityRouter,
  runs: runsRouter,
  humans: humansRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
