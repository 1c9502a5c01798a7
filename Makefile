# Cartable's build, test and local stack. Run `make help` for the targets.
#
# Tools (DynamoDB Local, the npm stand-ins for S3 and SES) and every local
# datum live under the git-ignored .local/ folder.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO ?= go
# Go packages that `make test`, `make bench` and `make lint` cover.
PKGS ?= ./...
# Extra flags for `go test`, e.g. TESTFLAGS='-run TestImport -v'.
TESTFLAGS ?=
# Benchmarks to run (a -bench pattern) and their package list.
BENCH ?= .
BENCHPKGS ?= $(PKGS)
# Flags for `go run ./cmd/cartable-local`, e.g. RUNFLAGS='-http-port 9090'.
RUNFLAGS ?=
# Flags for `make smoke`, e.g. SMOKEFLAGS='-api https://api.example.fr -school 0750654D -group 3A'.
# The teacher's token goes in CARTABLE_SMOKE_TOKEN or -token-file, not here.
SMOKEFLAGS ?=
# staticcheck, pinned. `go run` fetches it through the Go module proxy.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

# The aws-cdk CLI, pinned. It is not installed under infra/: the package
# ships files named like Go sources, which would break `go build ./...`.
CDK ?= npx --yes aws-cdk@2.1149.0
# Extra arguments for cdk, e.g. CDK_ARGS='--profile cartable -c mailDomain=ent.example.fr'.
# deploy needs mailDomain (docs/email.md); synth uses a placeholder without it.
CDK_ARGS ?=

DIST := dist
# Every functions/<name>/ with a main.go is a Lambda function.
FUNCTIONS := $(patsubst functions/%/main.go,%,$(wildcard functions/*/main.go))
LAMBDA_ENV := GOOS=linux GOARCH=arm64 CGO_ENABLED=0
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags='-s -w'

.PHONY: help tools run test build synth deploy bench lint clean cli smoke

help: ## Show the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

tools: ## Install DynamoDB Local and the S3/SES stand-ins into .local/tools, download Go modules.
	$(GO) run ./cmd/cartable-local tools

cli: ## Build the admin CLI into bin/cartable (skipped with a warning if it does not build).
	@mkdir -p bin
	@if [ -f cmd/cartable/main.go ]; then \
		$(GO) build -o bin/cartable ./cmd/cartable || echo "warning: the admin CLI does not build; make run goes on without the demo school" >&2; \
	else \
		echo "warning: cmd/cartable does not exist yet; make run goes on without the demo school" >&2; \
	fi

run: tools cli ## Run the local stack on 127.0.0.1 (API on :8080) until Ctrl-C.
	$(GO) build -o bin/cartable-local ./cmd/cartable-local
	./bin/cartable-local $(RUNFLAGS)

test: tools ## Run every test; store tests start DynamoDB Local themselves.
	$(GO) test -count=1 $(TESTFLAGS) $(PKGS)

bench: tools ## Run the benchmarks (BENCH=pattern, BENCHPKGS=packages).
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem $(BENCHPKGS)

lint: ## Check formatting, go vet and staticcheck.
	@unformatted="$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt -l lists these files:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run $(STATICCHECK) $(PKGS)

build: ## Build each function for Lambda (linux/arm64) into dist/<name>.zip.
	@if [ -z "$(FUNCTIONS)" ]; then echo "no functions/*/main.go to build" >&2; exit 1; fi
	@mkdir -p $(DIST)
	$(GO) build -o bin/cartable-local ./cmd/cartable-local
	@for fn in $(FUNCTIONS); do \
		echo "build $$fn"; \
		rm -rf $(DIST)/$$fn $(DIST)/$$fn.zip; \
		$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(DIST)/$$fn/bootstrap ./functions/$$fn; \
		./bin/cartable-local zip $(DIST)/$$fn.zip $(DIST)/$$fn/bootstrap; \
	done

synth: build ## Build, then synthesize the CDK app into cdk.out (no AWS account needed).
	$(CDK) synth $(if $(findstring mailDomain,$(CDK_ARGS)),,-c mailDomain=ent.example.invalid) $(CDK_ARGS)

deploy: build ## Build, then deploy with the CDK app (needs AWS credentials).
	$(CDK) deploy --all $(CDK_ARGS)

smoke: ## Check a deployed stack's presigned S3 URLs (SMOKEFLAGS, see docs/smoke.md). Not for CI.
	$(GO) run ./cmd/cartable-smoke $(SMOKEFLAGS)

clean: ## Remove build output. The local data stays: rm -rf .local to reset it.
	rm -rf bin $(DIST) cdk.out
