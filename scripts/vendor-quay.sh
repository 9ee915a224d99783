#!/usr/bin/env bash
# Refreshes vendor/quay/: the part of Quay's source (github.com/quay/quay, Apache-2.0) that its API and
# registry server need to run on loopback for `npm run test:real-quay` (test/real-quay/README.md).
#
#   scripts/vendor-quay.sh QUAY_GIT_DIR [COMMIT]
#
# QUAY_GIT_DIR: a clone (or bare mirror) of quay/quay; COMMIT defaults to HEAD. Left out: the web UI (web/,
# static/), the Go and Rust parts, docs, and Quay's own tests (Python test folders, test/, integration_tests/);
# kept: LICENSE. The commit vendored is written to vendor/quay/VENDORED_COMMIT.
set -euo pipefail
src=${1:?usage: scripts/vendor-quay.sh QUAY_GIT_DIR [COMMIT]}
commit=$(git -C "$src" rev-parse "${2:-HEAD}")
cd "$(dirname "$0")/.."
out=vendor/quay
rm -rf "$out" && mkdir -p "$out"
# The geo-IP database is a large file some mirrors do not hold; Quay runs without it.
git -C "$src" archive "$commit" -- . ':(exclude)util/ipresolver/ip-to-country.mmdb' |
  tar -x -C "$out" --anchored \
    --exclude=web --exclude=static --exclude=test --exclude=integration_tests --exclude=config-tool \
    --exclude=internal --exclude=cmd --exclude=hack --exclude=rust-builddeps --exclude=local-dev \
    --exclude=docs --exclude=agent_docs --exclude=deploy --exclude=.github \
    --exclude=package.json --exclude=package-lock.json --exclude=bill-of-materials.json \
    --exclude=rpms.lock.yaml --no-anchored --exclude='*/test' --exclude='*/tests' --exclude='*.md'
echo "$commit" > "$out/VENDORED_COMMIT"
echo "vendor/quay: quay/quay $commit, $(find "$out" -type f | wc -l) files, $(du -sh "$out" | cut -f1)"
