#!/bin/sh
# The steps the image's build stage runs, one per RUN line of docker/Dockerfile, so that
# tools/docker-check.mjs can run exactly the same commands outside Docker.
#   install  dependencies from package-lock.json, with the npm that wrote it; fails if the lockfile had to change
#   build    the console, the recorder SDK, the api and the worker into dist/
#   prune    keeps only production dependencies in node_modules
set -eu
# The npm that writes package-lock.json here (see .ci/run for why `npm install`, not `npm ci`).
NPM_VERSION=11.19.1

case "${1:-}" in
  install)
    if [ "$(npm --version)" != "$NPM_VERSION" ]; then
      npm install --global --no-audit --no-fund "npm@$NPM_VERSION"
    fi
    cp package-lock.json /tmp/package-lock.expected.json
    npm install --no-audit --no-fund
    if ! cmp -s package-lock.json /tmp/package-lock.expected.json; then
      echo "package-lock.json is out of date: npm install changed it. Run npm install, commit the lockfile, then build again." >&2
      exit 1
    fi
    ;;
  build)
    NX_DAEMON=false node tools/build.mjs
    ;;
  prune)
    npm prune --omit=dev --no-audit --no-fund
    ;;
  *)
    echo "usage: docker/build-steps.sh install|build|prune" >&2
    exit 2
    ;;
esac
