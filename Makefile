# mxtally: one non-recursive GNU Makefile. CFLAGS stays the user's.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
LIBEXECDIR ?= $(PREFIX)/libexec/mxtally
DOCDIR     ?= $(PREFIX)/share/doc/mxtally
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
CC         ?= cc
CFLAGS     ?= -O3 -g
PKGS       := libpcre2-8 libzstd zlib inih libmicrohttpd libcurl nettle
PKGS       += sqlite3 libpq liblzma liblz4 jansson
WARN       := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
              -Wpointer-arith -Wcast-qual -Wformat=2 -Wvla
MXT_CFLAGS := -std=c11 -D_GNU_SOURCE -Iinclude -pthread -MMD -MP $(WARN) \
              $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
MXT_CFLAGS += -DHAVE_LIBPQ
LDLIBS     := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lbz2 -pthread -lm

comma      := ,
ifeq ($(SAN),)
# the scan's stages call each other across files on every line: -O3 and
# link-time optimisation take 6 % of its instructions (callgrind, -j1)
LTO        := -flto=auto
LDLIBS     += $(shell pkg-config --libs jemalloc 2>/dev/null)
MXT_CFLAGS += $(if $(shell pkg-config --exists jemalloc 2>/dev/null && echo y),-DHAVE_JEMALLOC)
BUILD      := build/rel
else
MXT_CFLAGS += -O1 -g -fno-omit-frame-pointer -fsanitize=$(SAN) -fno-sanitize-recover=all
LDFLAGS    += -fsanitize=$(SAN)
BUILD      := build/san-$(subst $(comma),-,$(SAN))
endif

SRCS       := $(sort $(wildcard src/*.c src/*/*.c))
OBJS       := $(SRCS:%.c=$(BUILD)/%.o)
TOBJS      := $(filter-out $(BUILD)/t/src/main.o,$(SRCS:%.c=$(BUILD)/t/%.o))
TESTS      := $(sort $(wildcard tests/test_*.c))
TESTOBJS   := $(TESTS:%.c=$(BUILD)/t/%.o)
BIN        := $(BUILD)/mxtally

.PHONY: FORCE includes deb package fuzz all demo check realservers unit golden corpus corpus-report integration pflogsumm san tsan bench install clean deps html

all: $(BIN) mxtally

mxtally: $(BIN)
	ln -sf $(BIN) $@

$(BIN): $(OBJS)
	$(CC) $(CFLAGS) $(LTO) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(MXT_CFLAGS) $(LTO) -c -o $@ $<

$(BUILD)/t/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(MXT_CFLAGS) -DMXT_TESTING $(shell pkg-config --cflags criterion 2>/dev/null) -c -o $@ $<

# the binary with -DMXT_TESTING hooks (tests/faults.sh), never installed
$(BUILD)/mxtally-t: $(TOBJS) $(BUILD)/t/src/main.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/unit: $(TOBJS) $(TESTOBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs criterion 2>/dev/null)

deps:
	@sh .ci/deps build

demo: deps
	@$(MAKE) --no-print-directory all
	./$(BIN) --year 2026 --rules samples/alerts.ini samples/*/*.log

unit: $(BUILD)/unit
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp $(BUILD)/unit --jobs 2

golden: $(BIN) $(BUILD)/mxtally-t
	MXTALLY=$(BIN) sh tests/golden.sh
	MXTALLY=$(BIN) sh tests/docs.sh
	MXTALLY=$(BIN) sh tests/layout.sh
	MXTALLY=$(BIN) MXTALLY_T=$(BUILD)/mxtally-t sh tests/consistency.sh
	MXTALLY=$(BIN) MXTALLY_T=$(BUILD)/mxtally-t sh tests/joins.sh
	MXTALLY=$(BIN) sh tests/state.sh
	MXTALLY=$(BIN) sh tests/anon.sh
	MXTALLY=$(BIN) sh tests/history.sh
	MXTALLY=$(BIN) sh tests/trend.sh
	MXTALLY=$(BIN) sh tests/space.sh
	MXTALLY=$(BIN) MXTALLY_T=$(BUILD)/mxtally-t sh tests/locks.sh
	MXTALLY=$(BIN) sh tests/names.sh
	MXTALLY_T=$(BUILD)/mxtally-t sh tests/period.sh
	MXTALLY=$(BIN) sh tests/hostile.sh
	MXTALLY=$(BIN) MXTALLY_T=$(BUILD)/mxtally-t sh tests/faults.sh

corpus: $(BIN) $(BUILD)/mxtally-t
	MXTALLY=$(BIN) CORPUS_REPORT=$(BUILD)/corpus-report.md sh tests/corpus.sh
	MXTALLY=$(BIN) sh tests/corpus-labels.sh
	MXTALLY=$(BIN) sh tests/genmail.sh
	MXTALLY=$(BIN) MXTALLY_T=$(BUILD)/mxtally-t sh tests/traffic.sh

# integration: alerts, the log follower and real Prometheus and
# Alertmanager; release build only (they start servers and wait).
integration: $(BIN)
	MXTALLY=$(BIN) sh tests/alert.sh
	MXTALLY=$(BIN) sh tests/watch.sh
	MXTALLY=$(BIN) sh tests/monitoring.sh
	MXTALLY=$(BIN) sh tests/history_pg.sh
	MXTALLY=$(BIN) sh tests/mail.sh

# pflogsumm: traffic totals agree with pflogsumm's (release build only).
pflogsumm: $(BIN)
	MXTALLY=$(BIN) sh tests/pflogsumm.sh

# realservers: real Dovecot, Postfix, Exim, OpenSMTPD, Courier and Cyrus
# started on 127.0.0.1 in temporary directories, provoked by real
# clients, their logs counted against what the clients were told
# (tests/realservers/README.md); about a minute, in `make check`;
# release build only, needs root.
realservers: $(BIN)
	MXTALLY=$(BIN) sh tests/realservers/run.sh

# corpus-report: rewrite the committed tests/corpus-report.md (commit it).
corpus-report: $(BIN)
	MXTALLY=$(BIN) sh tests/corpus-report.sh tests/corpus-report.md

# html: the HTML report in headless Chromium (tests/html.sh); release
# build only: it checks the page, not the binary's memory.
html: $(BIN)
	MXTALLY=$(BIN) sh tests/html.sh

# package: the Debian package built (make deb), linted, installed with
# dpkg -i, its nightly report mailed through a private Postfix, then
# removed and purged (tests/deb.sh: under CI=true always; else only as
# root with dpkg-buildpackage, or it says why it skipped). The units and
# the nightly script from `make install` are checked by tests/dist.sh.
package: $(BIN)
	MXTALLY=$(BIN) sh tests/dist.sh
	MXTALLY=$(BIN) sh tests/deb.sh

# check: the release build's tests, then the same under ASan+UBSan.
check:
	@sh .ci/deps test
	@$(MAKE) --no-print-directory includes unit golden corpus integration pflogsumm html realservers
	@$(MAKE) --no-print-directory package
	@$(MAKE) --no-print-directory san

san:
	@$(MAKE) --no-print-directory SAN=address,undefined unit golden corpus

# the sub-make knows its own $(BIN) (build/san-thread...); do not guess it
tsan:
	@$(MAKE) --no-print-directory SAN=thread tsan-run

tsan-run: $(BIN) $(BUILD)/mxtally-t
	MXTALLY=$(BIN) MXTALLY_T=$(BUILD)/mxtally-t sh tests/tsan.sh

bench: $(BIN)
	MXTALLY=$(BIN) MXTALLY_BASE=$(MXTALLY_BASE) sh bench/run.sh
	MXTALLY=$(BIN) sh bench/hostile.sh

# fuzz: libFuzzer targets (fuzz/fuzz_*.c) built with clang, ASan and
# UBSan, each run for FUZZ_SECONDS on a seed corpus (fuzz/run.sh).
FUZZ_SECONDS ?= 20
FUZZ_CC    ?= clang
FUZZ_BUILD := build/fuzz
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer -DMXT_TESTING \
              -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_OBJS  := $(filter-out $(FUZZ_BUILD)/src/main.o,$(SRCS:%.c=$(FUZZ_BUILD)/%.o))
FUZZERS    := $(patsubst fuzz/%.c,$(FUZZ_BUILD)/%,$(wildcard fuzz/fuzz_*.c))

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(filter-out -DHAVE_JEMALLOC,$(MXT_CFLAGS)) -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/fuzz/fuzz_%.o $(FUZZ_OBJS)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ \
	    $(filter-out -ljemalloc,$(LDLIBS))

fuzz: $(FUZZERS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) sh fuzz/run.sh $(FUZZERS)

# dist/*.in with the install paths filled in
DIST_IN    := $(wildcard dist/*.in)
DIST_OUT   := $(DIST_IN:dist/%.in=$(BUILD)/dist/%)
DIST_PATHS := $(BINDIR) $(LIBEXECDIR) $(SYSCONFDIR)
$(BUILD)/dist/paths: FORCE
	@mkdir -p $(@D)
	@echo '$(DIST_PATHS)' | cmp -s - $@ || echo '$(DIST_PATHS)' >$@
$(BUILD)/dist/%: dist/%.in $(BUILD)/dist/paths Makefile
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' \
	    -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' $< >$@

# install: the binary, the man page, the nightly report (script, systemd
# units, cron.daily job; the timer is not enabled here), the examples,
# and /etc/mxtally/{mxtally.conf,alerts.ini} unless they exist (a
# package build, DESTDIR set, always gets them).
install: $(BIN) $(DIST_OUT)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(SYSCONFDIR)/cron.daily $(DESTDIR)$(SYSCONFDIR)/mxtally \
	    $(DESTDIR)$(DOCDIR)/examples
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/mxtally
	install -m 644 mxtally.1 $(DESTDIR)$(MANDIR)/man1/mxtally.1
	install -m 755 $(BUILD)/dist/mxtally-nightly $(DESTDIR)$(LIBEXECDIR)/
	install -m 755 $(BUILD)/dist/cron.daily $(DESTDIR)$(SYSCONFDIR)/cron.daily/mxtally
	install -m 644 $(BUILD)/dist/mxtally-nightly.service \
	    $(BUILD)/dist/mxtally-watch.service dist/mxtally-nightly.timer \
	    $(DESTDIR)$(UNITDIR)/
	install -m 644 examples/*.yml examples/*.cfg examples/logrotate-mail \
	    examples/README.md $(DESTDIR)$(DOCDIR)/examples/
	for f in mxtally.conf:dist/mxtally.conf alerts.ini:samples/alerts.ini; do \
		t=$(DESTDIR)$(SYSCONFDIR)/mxtally/$${f%%:*}; \
		[ -e $$t ] || install -m 644 $${f#*:} $$t; \
	done

# deb: the Debian package (debian/), built in a copy of the tree under
# build/deb, since dpkg-buildpackage writes its output to the parent of
# the tree; leaves build/deb/mxtally_*.deb. No tests in the package
# build (nocheck): `make check` runs them, and tests/deb.sh the package.
DEB_DIR    := build/deb
NPROC      := $(shell nproc 2>/dev/null || echo 2)
deb:
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/mxtally
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z -c -o --exclude-standard | \
		    xargs -0 cp -P --parents -t $(DEB_DIR)/mxtally; \
	else \
		tar -c --exclude=./build --exclude=./mxtally . | \
		    tar -x -C $(DEB_DIR)/mxtally; \
	fi
	cd $(DEB_DIR)/mxtally && \
	    DEB_BUILD_OPTIONS="nocheck parallel=$(NPROC)" \
	    dpkg-buildpackage -us -uc -b >../build.log 2>&1 || \
	    { tail -30 ../build.log; exit 1; }
	@ls $(DEB_DIR)/mxtally_*.deb

clean:
	rm -rf build mxtally

FORCE:

-include $(OBJS:.o=.d) $(TOBJS:.o=.d) $(TESTOBJS:.o=.d)

# includes: no include cycle between files or stages, and the scan stage
# includes no sink (alert, state, report): tests/includes.py
includes:
	python3 tests/includes.py
