# 两条命令 / two commands:
#   make site   生成示例网站、PDF 和开放数据到 site/
#   make test   运行全部测试
# 其余 / more: make check, make lint, make serve, make bench, make lock, make clean

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
JOBS   ?=

.PHONY: site test check lint serve bench lock clean system-deps system-deps-test

site: $(STAMP) system-deps
	$(PY) -m builder build $(if $(JOBS),--jobs $(JOBS))

serve: $(STAMP)
	$(PY) -m builder serve $(if $(PORT),--port $(PORT))

check: $(STAMP)
	$(PY) -m builder check data/

test: $(STAMP) system-deps-test $(if $(wildcard package.json),node_modules/.installed)
	$(PY) -m ruff check
	$(PY) -m pytest -q

# 规模与速度基准：N = 100 和 500 个合成部门的全新构建、无改动 / 改一个部门 / 改一个模板后的再构建，
# 以及与 issue 中朴素做法的 PDF 对比；打印 Markdown 表格（2 核机器上约需 40 分钟）。
# 例：make bench BENCH="100 --runs 5"
bench: $(STAMP) system-deps
	$(PY) benchmarks/build_speed.py --baselines $(BENCH)

lint: $(STAMP)
	$(PY) -m ruff check
	$(PY) -m ruff format --check

# 虚拟环境：按 requirements.lock 安装固定版本 / the virtualenv, with the exact versions of requirements.lock
$(STAMP): pyproject.toml requirements.lock | system-deps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	touch $@

node_modules/.installed: package.json package-lock.json | system-deps-test
	npm ci --silent --no-audit --no-fund
	touch $@

system-deps:
	@sh scripts/system-deps.sh build

system-deps-test:
	@sh scripts/system-deps.sh test

# 重新生成锁定文件（升级依赖后运行）/ refresh the lock after changing dependencies
lock: $(STAMP)
	$(PY) -m pip freeze --exclude-editable --disable-pip-version-check | grep -v '^-e ' > requirements.lock

clean:
	rm -rf site content/generated .pytest_cache tests/artifacts
