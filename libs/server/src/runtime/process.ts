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
 * A second signal exits at once.
 */
export function onShutdown(close: () => Promise<void>): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    new Logger('Loupe').log(`${signal} received: shutting down`);
    close()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        new Logger('Loupe').error(`shutdown failed: ${String(err)}`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
