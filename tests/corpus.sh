#!/bin/sh
# Corpus sweep, as run by make check: tests/corpus-report.sh over every
# source of ../shared/corpus, with the table written to $CORPUS_REPORT (a
# temp file unless set) rather than over the committed
# tests/corpus-report.md, which `make corpus-report` refreshes. Fails when
# a run fails or a source's unclassified share is above its ceiling in
# tests/corpus-ceilings.tsv. Skipped when ../shared is absent.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
if [ -n "${CORPUS_REPORT:-}" ]; then
	exec sh "$dir/corpus-report.sh" "$CORPUS_REPORT"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh "$dir/corpus-report.sh" "$tmp/corpus-report.md"
