#!/bin/sh
# The image runs one Loupe process: `api` (the default) or `worker`; anything else runs as given.
# The api applies pending migrations itself at start, under a PostgreSQL advisory lock, so replicas
# may start together; workers never migrate. `exec` hands the process the container's signals, so
# `docker stop` (SIGTERM) lets requests and jobs in flight finish.
set -eu
case "${1:-api}" in
  api)
    if [ "$#" -gt 0 ]; then shift; fi
    exec node --enable-source-maps dist/apps/api/main.js "$@"
    ;;
  worker)
    shift
    exec node --enable-source-maps dist/apps/worker/main.js "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
