# Hotline — the two set-up commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
# Bytecode is cached under var/pycache, outside the sources and the venv (which hold none: uv
# installs without compiling). Without a cache every Python process -- each test worker and each
# service or CLI a test starts -- compiled every module it imported again: seconds of CPU per
# process, on two cores shared with the services under test.
unexport PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX := $(CURDIR)/var/pycache
# The interpreter: Debian's python3.11 where there is one (system-deps installs it). Debian builds
# it with PGO and LTO, like the python:3.11 images we deploy (deploy/Containerfile); a plain
# source build (pyenv's default) took 16-37% more CPU per webhook (bench/profiling.md, session 13).
# UV_PYTHON=<path> on the command line or in the environment picks another.
ifneq ($(wildcard /usr/bin/python3.11),)
export UV_PYTHON ?= /usr/bin/python3.11
endif
# uv comes from PyPI into the machine's own Python when missing (see `setup`).
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PY := .venv/bin/python
PYTEST := $(UV) run --frozen pytest
# built from tools/compose-check (see its rule below)
COMPOSE_CHECK := var/bin/compose-check

.PHONY: help setup system-deps kafka-jars s3-server run test test-unit test-contract test-integration \
        test-e2e lint fmt bench bench-kafka bench-email bench-chat bench-social bench-unifier \
        bench-identity bench-inbox bench-sla bench-triage bench-forecast bench-voice bench-voice-import soak clean \
        contract-snapshot \
        bench-e2e bench-report bench-p2-sweep \
        deploy-check

help:
	@echo "make run   - start the local stack (broker, four services, SQLite store); Ctrl-C stops it"
	@echo "make test  - install what is missing, then run unit, contract, integration and e2e tests"
	@echo "make lint  - ruff + mypy --strict;  make bench-<x> - benchmarks into bench/results/"
	@echo "make deploy-check - validate deploy/compose.yaml and deploy/k8s/*.yaml"

setup:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen --quiet

system-deps:
	deploy/scripts/system-deps.sh

kafka-jars:
	deploy/kafka/fetch.sh

# S3Proxy (the S3-compatible server of the blob-store tests), its jar downloaded from Maven
# Central into deploy/s3/lib when missing (deploy/s3/README.md). Runs on the broker's Java 17.
s3-server:
	deploy/s3/fetch.sh

run: setup kafka-jars
	$(UV) run --frozen hotline run

# pytest exits 5 when it collected nothing: that is a failure here, never a silent pass.
define run_pytest
	@set +e; $(PYTEST) $(1); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests in $(1): failing"; exit 1; fi; exit $$rc
endef

# every test's time goes to var/test-times.xml (JUnit XML) besides the 25 slowest printed.
# TEST_WORKERS pytest-xdist workers, one test file each at a time (--dist loadfile keeps a
# file's fixtures in one worker); every worker starts its own broker, PostgreSQL and S3 server
# on free ports. Most tests wait on brokers, databases and browsers, so two workers on two
# cores about halve the time. Files are handed out in collection order, the slowest first
# (tests/schedule.py), so none is left running alone at the end; xdist's own reorder (by test
# count) is off, it put the one-test drills last.
TEST_WORKERS ?= 2
test: setup system-deps kafka-jars s3-server lint $(COMPOSE_CHECK)
	$(call run_pytest,-p no:cacheprovider -ra --durations=25 --junitxml=var/test-times.xml -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder tests/e2e tests/integration tests/contract tests/unit)

test-unit: setup
	$(call run_pytest,tests/unit)

test-contract: setup
	$(call run_pytest,tests/contract)

test-integration: setup system-deps kafka-jars s3-server $(COMPOSE_CHECK)
	$(call run_pytest,-ra tests/integration)

test-e2e: setup system-deps kafka-jars s3-server
	$(call run_pytest,-ra tests/e2e)

# The Compose validator (tools/compose-check: compose-go, the Compose Specification's loader),
# built into var/bin when missing or when its source changed. Needs Go >= 1.24.
$(COMPOSE_CHECK): tools/compose-check/main.go tools/compose-check/go.mod tools/compose-check/go.sum
	@command -v go >/dev/null || { echo "Go >= 1.24 is needed to build tools/compose-check (https://go.dev/dl)"; exit 1; }
	cd tools/compose-check && go build -o ../../$(COMPOSE_CHECK) .

# deploy/compose.yaml and deploy/k8s/*.yaml through their validators (also run by make test,
# with the settings cross-check, in tests/integration/deploy).
K8S_VERSION := 1.37.0
deploy-check: setup $(COMPOSE_CHECK)
	$(COMPOSE_CHECK) deploy/compose.yaml
	$(UV) run --frozen kubernetes-validate --strict --quiet -k $(K8S_VERSION) deploy/k8s/*.yaml

lint: setup
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy shared/src services/*/src tools/src bench tests

fmt: setup
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

bench-kafka: setup kafka-jars
	$(UV) run --frozen python -m bench.kafka_bench

# Issue 8: end-to-end scenarios through the real stack (short: about 8 minutes), the report.
bench-e2e: setup system-deps kafka-jars
	$(UV) run --frozen python -m bench.e2e_bench $(SCENARIOS)

bench-p2-sweep: setup system-deps kafka-jars
	$(UV) run --frozen python -m bench.p2_sweep
	$(UV) run --frozen python -m bench.report

bench-report: setup
	$(UV) run --frozen python -m bench.report

bench: bench-kafka bench-e2e bench-report

# The full 10-minute versions of every scenario.
soak: setup system-deps kafka-jars
	BENCH_PROFILE=soak $(UV) run --frozen python -m bench.e2e_bench $(SCENARIOS)
	$(UV) run --frozen python -m bench.report

contract-snapshot: setup
	$(UV) run --frozen hotline schema > tests/contract/events.schema.json.tmp
	mv tests/contract/events.schema.json.tmp tests/contract/events.schema.json
	$(UV) run --frozen python -c "import msgspec, sys; from hotline import unified; \
	  sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(unified.json_schema()), indent=2) + b'\n')" \
	  > tests/contract/unified/unified.schema.json.tmp
	mv tests/contract/unified/unified.schema.json.tmp tests/contract/unified/unified.schema.json

clean:
	rm -rf .venv var deploy/kafka/lib deploy/s3/lib .mypy_cache .ruff_cache .pytest_cache

bench-chat: setup kafka-jars
	$(UV) run --frozen python -m bench.chat_bench

bench-email: setup kafka-jars
	$(UV) run --frozen python -m bench.email_bench

bench-social: setup kafka-jars
	$(UV) run --frozen python -m bench.social_bench

# signed Twilio Voice status callbacks at 1,000/s through the voice edge and broker
bench-voice: setup kafka-jars
	$(UV) run --frozen python -m bench.voice_bench

# hotline import calls: a generated 100,000-row Master.csv (not kept) against a real broker
bench-voice-import: setup kafka-jars
	$(UV) run --frozen python -m bench.voice_import_bench

bench-unifier: setup kafka-jars
	$(UV) run --frozen python -m bench.unifier_bench

# Issue 26: triage quality (CLINC150, service-desk categories, language detectors) and cost.
bench-triage: setup
	$(UV) run --frozen python -m bench.triage_bench

# Issue 27: the forecast's rolling-origin backtest (MASE per day ahead against seasonal naive)
# on the service-desk arrival series in contact-volume (~3 min; BENCH_FORECAST_QUICK=1: ~20 s).
bench-forecast: setup
	$(UV) run --frozen python -m bench.forecast_bench

# Issue 26: 1,000,000 open conversations with running clocks, seeded in bulk (~3 min) on SQLite,
# then on PostgreSQL; how late the SLA scheduler emits breaches and warnings over a 5-minute
# window, the unifier's CPU and memory (~25 min for both; BENCH_SLA_DBS=sqlite for one).
bench-sla: setup kafka-jars
	$(UV) run --frozen python -m bench.sla_bench

# Issue 21: identity resolution with 1,000,000 contacts / 3,000,000 identities stored.
bench-identity: setup kafka-jars
	$(UV) run --frozen python -m bench.identity_bench

# Issue 23: the agent inbox on PostgreSQL with 1,000,000 conversations / 10,000,000 messages
# (the seeded store is cached under var/bench-inbox/; the first run seeds it, ~5 minutes).
bench-inbox: setup kafka-jars
	$(UV) run --frozen python -m bench.inbox_bench
