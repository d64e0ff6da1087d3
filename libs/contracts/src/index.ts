export * from './auth.contract';
export * from './projects.contract';
export * from './project-settings.contract';
export * from './health.contract';
export * from './errors.contract';
export * from './recording';
export * from './ingest.contract';
export * from './sessions.contract';
