#!/usr/bin/env bash
# A CI job's deploy step: start the deployment, follow it, fail the job unless it succeeded.
# Usage: ci-deploy.sh SERVICE VERSION   (SLUICE_URL and SLUICE_TOKEN from the CI's secrets)
# SLUICE is the command line to run (default ./sluice); the build number makes retries idempotent.
set -uo pipefail
service="$1"
version="$2"
sluice=(${SLUICE:-./sluice})
key="ci-${CI_PIPELINE_ID:-local}-${service}-${version}"

"${sluice[@]}" deploy "$service" "$version" --wait --timeout "${DEPLOY_TIMEOUT:-30m}" \
  --idempotency-key "$key" > deployment-id.txt
code=$?
id="$(head -n 1 deployment-id.txt)"
case "$code" in
  0) echo "deployed $service $version ($id)" ;;
  2) echo "::error::$service $version did not succeed ($id): rolled back, failed or aborted" >&2
     "${sluice[@]}" get deployment "$id" >&2 ;;
  3) echo "::error::$service $version still deploying after ${DEPLOY_TIMEOUT:-30m} ($id)" >&2 ;;
  4) echo "::error::$service $version waits for a person ($id): sluice promote $id" >&2 ;;
  *) echo "::error::could not deploy $service $version (exit $code)" >&2 ;;
esac
exit "$code"
