#!/usr/bin/env bash
# `buf breaking` for proto/ against the previous commit's proto/ (CI: npm run proto:breaking).
# PROTO_AGAINST=<git ref> compares against another commit (e.g. origin/main in a branch).
# The previous tree is taken with `git archive`, which works in worktrees and any clone;
# a shallow clone is deepened by one commit first. A clone with a single commit, or a
# previous commit with no proto/, has nothing to break: said so, and passed.
set -euo pipefail
cd "$(dirname "$0")"
ref="${PROTO_AGAINST:-HEAD~1}"
if ! git rev-parse -q --verify "$ref^{commit}" >/dev/null; then
  git fetch -q --deepen=1 2>/dev/null || true
fi
if ! git rev-parse -q --verify "$ref^{commit}" >/dev/null; then
  echo "proto:breaking: no commit $ref in this clone (single-commit history): nothing to compare against"
  exit 0
fi
if ! git cat-file -e "$ref:proto/buf.yaml" 2>/dev/null; then
  echo "proto:breaking: $ref has no proto/: nothing to compare against"
  exit 0
fi
previous="$(mktemp -d)"
trap 'rm -rf "$previous"' EXIT
git -C .. archive "$ref" proto | tar -x -C "$previous"
buf breaking . --against "$previous/proto"
echo "proto:breaking: proto/ is wire- and source-compatible with $ref"
