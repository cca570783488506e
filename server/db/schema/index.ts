// The whole schema, one file per resource. Add a new resource as a new file and re-export it here;
// then `npm run db:generate` writes the migration into drizzle/.
export * from './users';
export * from './workspaces';
export * from './experiments';
export * from './artifacts';
export * from './runs';
export * from './publications';
export * from './comments';
export * from './human-sessions';
