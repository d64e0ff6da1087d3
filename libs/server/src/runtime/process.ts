import { Logger } from '@nestjs/common';
import { ConfigError } from '../config/config';

/** Runs a process's main: a configuration error is printed as it is and exits 1, without a stack. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
    } else {
      new Logger('Loupe').error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    }
    process.exit(1);
  });
}

/**
 * On SIGTERM or SIGINT: stop taking work, finish what is in flight, close the database last.
 * A second signal, or `timeoutMs` without finishing, exits at once (code 1): jobs still running
 * then go back to their queue when their lock expires, as after a crash.
 */
export function onShutdown(close: () => Promise<void>, opts: { timeoutMs: number }): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    const log = new Logger('Loupe');
    if (closing) {
      log.warn(`${signal} received again: exiting now`);
      process.exit(1);
    }
    closing = true;
    log.log(`${signal} received: finishing in-flight requests and jobs (at most ${Math.round(opts.timeoutMs / 1000)} s)`);
    const deadline = setTimeout(() => {
      log.error(`still shutting down after ${Math.round(opts.timeoutMs / 1000)} s (LOUPE_SHUTDOWN_TIMEOUT_SECONDS): exiting now`);
      process.exit(1);
    }, opts.timeoutMs);
    deadline.unref();
    close()
      .then(() => {
        log.log('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error(`shutdown failed: ${String(err)}`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
