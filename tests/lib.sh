# Shared by the test scripts: the pass/fail/skip counters, the skip rule
# and the closing line. Source it after setting MXTALLY and friends:
#
#	. "$(dirname "$0")/lib.sh"
#	t_begin golden		(or t_setup golden: MXTALLY, $tmp, trap)
#	... ok / bad "what differs" / skip "why" ...
#	t_end
#
# A skip is never a silent pass: outside CI it is said ("NAME: skipped:
# why") and counted in the closing line; with CI=true a missing
# dependency fails the run, so CI cannot pass by running nothing.

t_begin() {
	t_name=$1
	pass=0 fail=0 skip=0
}

# The start of a script that runs the binary from a scratch directory:
# MXTALLY as an absolute path (default ./mxtally; the script may cd),
# $tmp a new directory removed at exit, then t_begin NAME.
t_setup() {
	MXTALLY=${MXTALLY:-./mxtally}
	case $MXTALLY in /*) ;; *) MXTALLY=$(pwd)/$MXTALLY ;; esac
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	t_begin "$1"
}

ok() { pass=$((pass + 1)); }

bad() { echo "FAIL $*"; fail=$((fail + 1)); }

skip() {
	if [ "${CI:-}" = true ]; then
		bad "$t_name: $* (CI=true: nothing may be skipped)"
	else
		echo "$t_name: skipped: $*"
		skip=$((skip + 1))
	fi
}

# The closing line the CI reads, and the exit status (0 only if none failed).
t_end() {
	echo "$t_name: $pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
	exit
}

# Skips the whole script (a dependency is missing) and ends it.
t_skip_all() {
	skip "$*"
	t_end
}

# Fails the whole script at once (a step everything else needs broke).
t_die() {
	bad "$*"
	t_end
}
