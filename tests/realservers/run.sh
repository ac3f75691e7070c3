#!/bin/sh
# mxtally against real mail servers (tests/realservers/README.md): makes
# sure the daemons are there (tests/realservers/deps.sh), then runs the
# driver. Needs root (mount namespaces, daemons that drop privileges).
# Outside CI a daemon that is missing is skipped and named; with CI=true
# it fails the run.
set -u
cd "$(dirname "$0")/../.."
MXTALLY=${MXTALLY:-./mxtally}
export MXTALLY
ci=${CI:-}
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null ||
    ! command -v nsenter >/dev/null || ! command -v python3 >/dev/null; then
	if [ "$ci" = true ]; then
		echo "FAIL realservers: needs root, python3, unshare and nsenter"
		exit 1
	fi
	echo "skipped: realservers (needs root, python3, unshare and nsenter)"
	exit 0
fi
sh tests/realservers/deps.sh || [ "$ci" != true ] || exit 1
exec python3 tests/realservers/realservers.py ${REALSERVERS_STATUS:+--status "$REALSERVERS_STATUS"} \
    ${REALSERVERS_COPY:+--copy-to "$REALSERVERS_COPY"} "$@"
