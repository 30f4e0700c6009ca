# ksuite: `make run` builds and starts the server; `make test` runs every check.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: run test setup setup-test build build-app build-server fmt lint test-rust test-postgres test-e2e clean

run: setup build
	./target/release/ksuite serve $(ARGS)

test: setup-test
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo test --workspace --no-run
	# The integration tests mostly wait on sockets, PostgreSQL and child processes, and the
	# app build is compute (its wasm profile has a lock of its own), so the two run side by
	# side; the build's output follows the tests'.
	scripts/build-app.sh > target/build-app.log 2>&1 & app=$$!; \
	  cargo test --workspace && scripts/test-postgres.sh; tests=$$?; \
	  wait $$app; built=$$?; \
	  echo "--- scripts/build-app.sh (ran beside the tests, exit $$built)"; cat target/build-app.log; \
	  [ $$tests -eq 0 ] && [ $$built -eq 0 ]
	# The browser tests drive the debug server `cargo test` built (argon2 and RSA are
	# optimised in dev builds): a release build would add minutes and test nothing more.
	test -x target/debug/ksuite
	cd end2end && KSUITE_BIN=$(CURDIR)/target/debug/ksuite npx playwright test

setup:
	@scripts/setup.sh

setup-test:
	@scripts/setup.sh --test

build: build-app build-server

build-app:
	scripts/build-app.sh

build-server:
	cargo build --release -p ksuite-server

# The server's integration tests on a PostgreSQL the script starts and stops itself.
test-postgres:
	scripts/test-postgres.sh

# Browser tests on the release build: build the app and server, then Playwright starts
# the server itself.
test-e2e: build
	cd end2end && npx playwright test

fmt:
	cargo fmt --all

clean:
	rm -rf target dist .tools/wasm-sysroot .tools/sysroot-seed
