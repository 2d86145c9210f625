#!/bin/sh
# Vigil's dry run for any CI: what every node would see change between the target branch and this change.
#
#   ci/vigil-plan.sh [BASE [HEAD]]        (defaults: origin/main and HEAD)
#
# Environment:
#   VIGIL             the vigil command (default: vigil on PATH)
#   VIGIL_PATH        folder of the repository holding the cluster's YAML (default: the root)
#   VIGIL_PLAN_FILE   where the markdown plan is written for a pull-request comment (default: vigil-plan.md)
#   VIGIL_FAIL_ON_CHANGES=1   fail (exit 2) when there are changes, for branches that must not change nodes
#   VIGIL_VERIFY_COMMITS      head, tag or tag-and-head: the head must be signed as the agents require (--verify-commits)
#   VIGIL_TRUSTED_KEYS        with it: the folder of trusted keys; from a CI secret, never from the checkout being verified
#
# Prints the plan as text, writes it as markdown, and exits:
#   0  the head commit is valid (with or without changes)
#   1  the head commit is invalid, a revision is missing, or vigil failed
#   2  there are changes and VIGIL_FAIL_ON_CHANGES=1
# The checkout needs the base commit: fetch with full history (GitHub: fetch-depth: 0; GitLab: GIT_DEPTH: 0).
set -u

base=${1:-origin/main}
head=${2:-HEAD}
vigil=${VIGIL:-vigil}
folder=${VIGIL_PATH:-}
plan_file=${VIGIL_PLAN_FILE:-vigil-plan.md}

set --
if [ -n "${VIGIL_VERIFY_COMMITS:-}" ]; then
  set -- --verify-commits "$VIGIL_VERIFY_COMMITS" --trusted-keys "${VIGIL_TRUSTED_KEYS:?VIGIL_TRUSTED_KEYS: the folder of trusted keys}"
fi
"$vigil" plan --repo . --base "$base" --head "$head" --path "$folder" --output markdown "$@" >"$plan_file"
markdown_status=$?
"$vigil" plan --repo . --base "$base" --head "$head" --path "$folder" "$@"
status=$?
if [ "$status" -ne "$markdown_status" ]; then
  echo "vigil-plan.sh: the text and markdown plans disagree ($status, $markdown_status)" >&2
  exit 1
fi

case "$status" in
  0) echo "vigil-plan.sh: no changes; plan written to $plan_file" ;;
  2) echo "vigil-plan.sh: changes planned; plan written to $plan_file"
     if [ "${VIGIL_FAIL_ON_CHANGES:-0}" = 1 ]; then exit 2; fi ;;
  *) echo "vigil-plan.sh: no plan (exit $status): see above; details in $plan_file" >&2
     exit 1 ;;
esac
exit 0
