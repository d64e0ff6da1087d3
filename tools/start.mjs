// `npm start`: build what is needed, then run api, worker and console in one process on the
// embedded database (or on DATABASE_URL / REDIS_URL when they are set).
import { spawn } from 'node:child_process';
import { buildAll } from './build.mjs';

await buildAll({ quiet: true });
const child = spawn(process.execPath, ['--enable-source-maps', 'dist/apps/api/main.js'], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
