# rathaus — build, run, test, benchmark.
#
#   make run     install what is missing, build, start on SQLite with demo data
#   make check   install what is missing, build, run every test
#   make bench   release build, benchmarks; figures go to docs/performance.md
#   make fuzz    each fuzz target for FUZZ_SECONDS (default 180)
#
# Two builds: build/debug (ASan + UBSan, used by the tests) and build/release (-O2).

CC      ?= cc
PKGS    := libh2o-evloop jansson libsodium libpq sqlite3 libcurl md4c-html liboath libqrencode ldap lber \
	libmagic libxml-2.0 pangocairo cairo libical
WARN    := -Wall -Wextra -Werror -Wformat=2 -Wno-unused-parameter -Wshadow -Wstrict-prototypes
BASE_CFLAGS := -std=c17 -D_GNU_SOURCE -DH2O_USE_LIBUV=0 -Isrc -Ibuild/gen $(WARN) \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null) -I/usr/include/postgresql
LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lstemmer -lssl -lcrypto -lz -lpthread -lm

DEBUG_CFLAGS   := $(BASE_CFLAGS) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
RELEASE_CFLAGS := $(BASE_CFLAGS) -O2 -g -DNDEBUG
DEBUG_LDFLAGS  := -fsanitize=address,undefined

LIB_SRCS := $(sort $(shell find src -name '*.c' ! -name main.c))
GEN_SRCS := build/gen/migrations.c
SQL_FILES := $(sort $(shell find sql -name '*.sql' 2>/dev/null))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRCS := $(sort $(wildcard fuzz/fuzz_*.c))

debug_objs   = $(patsubst %.c,build/debug/%.o,$(LIB_SRCS) $(GEN_SRCS))
release_objs = $(patsubst %.c,build/release/%.o,$(LIB_SRCS) $(GEN_SRCS))

.PHONY: all deps test-deps run check unit http browser fuzz fuzz-quick bench clean format demo-db
all: build/release/rathaus build/debug/rathaus

deps:
	@bash scripts/deps.sh
test-deps:
	@bash scripts/deps.sh --test

build/gen/migrations.c: scripts/embed-sql.sh $(SQL_FILES)
	@mkdir -p $(@D)
	bash scripts/embed-sql.sh sql > $@.tmp && mv $@.tmp $@

build/debug/%.o: %.c
	@mkdir -p $(@D)
	@echo "CC (debug)   $<"
	@$(CC) $(DEBUG_CFLAGS) -MMD -MP -c $< -o $@
build/release/%.o: %.c
	@mkdir -p $(@D)
	@echo "CC (release) $<"
	@$(CC) $(RELEASE_CFLAGS) -MMD -MP -c $< -o $@

build/debug/rathaus: $(debug_objs) build/debug/src/main.o
	@echo "LINK         $@"
	@$(CC) $(DEBUG_LDFLAGS) -o $@ $^ $(LIBS)
build/release/rathaus: $(release_objs) build/release/src/main.o
	@echo "LINK         $@"
	@$(CC) -o $@ $^ $(LIBS)

# Unit tests: one cmocka binary per tests/unit/test_*.c, linked with the library.
UNIT_BINS := $(patsubst tests/unit/%.c,build/debug/unit/%,$(UNIT_SRCS))
build/debug/unit/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(debug_objs)
	@mkdir -p $(@D)
	@echo "LINK (test)  $@"
	@$(CC) $(DEBUG_CFLAGS) -Itests/unit -o $@ $< $(debug_objs) $(DEBUG_LDFLAGS) $(LIBS) -lcmocka

run: deps build/release/rathaus
	./build/release/rathaus demo --if-empty
	./build/release/rathaus serve

check: test-deps build/debug/rathaus $(UNIT_BINS) fuzz-build
	bash tests/run-all.sh

unit: $(UNIT_BINS)
	bash tests/run-all.sh unit

# Fuzz targets: clang's libFuzzer with ASan/UBSan, the library compiled again by clang.
FUZZ_CFLAGS := $(filter-out -Wformat=2,$(BASE_CFLAGS)) -O1 -g -fsanitize=fuzzer-no-link,address,undefined
fuzz_objs = $(patsubst %.c,build/fuzz/%.o,$(LIB_SRCS) $(GEN_SRCS))
build/fuzz/%.o: %.c
	@mkdir -p $(@D)
	@echo "CC (fuzz)    $<"
	@clang $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
FUZZ_BINS := $(patsubst fuzz/%.c,build/fuzz/bin/%,$(FUZZ_SRCS))
build/fuzz/bin/%: fuzz/%.c $(fuzz_objs)
	@mkdir -p $(@D)
	@echo "LINK (fuzz)  $@"
	@clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(fuzz_objs) $(LIBS)
.PHONY: fuzz-build
fuzz-build: $(FUZZ_BINS)
fuzz: $(FUZZ_BINS)
	FUZZ_SECONDS=$${FUZZ_SECONDS:-180} bash tests/fuzz.sh
fuzz-quick: $(FUZZ_BINS)
	FUZZ_SECONDS=$${FUZZ_SECONDS:-20} bash tests/fuzz.sh

# Benchmark programs in C, linked with the release library.
BENCH_BINS := $(patsubst bench/%.c,build/bench/%,$(wildcard bench/*.c))
build/bench/%: bench/%.c $(release_objs)
	@mkdir -p $(@D)
	@echo "LINK (bench) $@"
	@$(CC) $(RELEASE_CFLAGS) -o $@ $< $(release_objs) $(LIBS)

bench: test-deps build/release/rathaus $(BENCH_BINS)
	bash bench/run.sh
	bash bench/services.sh
	bash bench/participation.sh

format:
	clang-format -i $$(find src tests/unit fuzz bench -name '*.[ch]')

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
.SECONDARY:
