# Two commands on a fresh machine (Python 3.11+ and make):
#   make demo   set up, then check a bundled example program with the pack (no Pulumi CLI, no AWS)
#   make test   set up, then run the linter, the type checker and the test suite
#   make test-fast   the suite without the real-CLI, install and generated-input layers (see the README)
# and one to publish:
#   make pack   stage the pack alone in $(PACK_OUT), for `pulumi policy publish` (see the README)
PYTHON ?= python3
VENV ?= venv
BIN := $(VENV)/bin
# Outside the repository: the CLI applies every .gitignore above a pack to its files (tools/stage_pack.py).
PACK_OUT ?= $(or $(TMPDIR),/tmp)/aws-conventions-pack

.PHONY: demo test test-fast lint docs regen policy bench pack

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m compileall -q policies aws_conventions
	touch $@

demo: $(VENV)/.installed
	$(BIN)/python -m aws_conventions check examples/violations --stack dev || test $$? -eq 1

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

# The test layers are pytest markers (tests/conftest.py): leave out the slowest three.
test-fast: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -m "not cli and not slow and not fuzz"

docs: $(VENV)/.installed
	$(BIN)/python -m tools.aws_catalog
	$(BIN)/python -m tools.lambda_runtimes
	$(BIN)/python -m tools.policy_docs

# Every generated file: the AWS type table, the README's policy sections, the runner snapshots.
# Tests fail when any of them is stale.
regen: docs
	$(BIN)/python -m tools.regenerate_snapshots

# make policy AREA=sqs NAME=sqs-encryption TYPES="aws:sqs/queue:Queue"   (or STACK=1)
policy: $(VENV)/.installed
	$(BIN)/python -m tools.new_policy $(AREA) $(NAME) $(if $(STACK),--stack,$(foreach t,$(TYPES),--type $(t)))

bench: $(VENV)/.installed
	$(BIN)/python -m benchmarks.protocol --sizes 5000 20000 --repeat 3

# The pack's files and nothing else (no tests, examples or tools), with ./venv linked as its virtualenv.
pack: $(VENV)/.installed
	$(BIN)/python -m tools.stage_pack $(PACK_OUT) --venv $(VENV)
