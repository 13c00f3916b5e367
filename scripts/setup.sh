#!/usr/bin/env bash
# Installs the tools the test suite uses, into ./.tools (kept between runs on one machine).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tools/bin
export PATH="$PWD/.tools/bin:$PATH"

# Real Helm for tests/deploy_templates.rs, which checks that its Go-template renderer gives
# exactly what Helm gives (Helm's Go SDK compiled into the helm-python-sdk wheel), and the
# Kubernetes API schemas it validates the rendered objects against (kubernetes-validate).
if ! .tools/helm-python/bin/python -c 'import helm_python, kubernetes_validate' 2>/dev/null; then
  python3 -m venv .tools/helm-python
  .tools/helm-python/bin/pip install --quiet --disable-pip-version-check \
    'helm-python-sdk==0.2.2' 'kubernetes-validate==1.37.0'
fi

# Schemathesis for tests/e2e_conformance.rs, which checks that a generated service answers
# as its own OpenAPI document says (docs/openapi.md). Its own venv: it pins many packages.
SCHEMATHESIS_VERSION=4.32.5
if ! .tools/schemathesis/bin/schemathesis --version 2>/dev/null | grep -q " $SCHEMATHESIS_VERSION\$"; then
  python3 -m venv .tools/schemathesis
  .tools/schemathesis/bin/pip install --quiet --disable-pip-version-check \
    "schemathesis==$SCHEMATHESIS_VERSION"
fi

# sqlx-cli 0.8.6: the migrate interop tests (tests/migrate_interop.rs) run it against the
# same databases as axiomod to prove byte-exact compatibility of `_sqlx_migrations`.
SQLX_CLI_VERSION=0.8.6
# Built once per machine into a cache outside the checkout (clean clones reuse it), then copied.
sqlx_cache="${XDG_CACHE_HOME:-$HOME/.cache}/axiomod-tools/sqlx-cli-$SQLX_CLI_VERSION"
if ! .tools/bin/sqlx --version 2>/dev/null | grep -qx "sqlx-cli $SQLX_CLI_VERSION"; then
  if ! "$sqlx_cache/bin/sqlx" --version 2>/dev/null | grep -qx "sqlx-cli $SQLX_CLI_VERSION"; then
    echo "== installing sqlx-cli $SQLX_CLI_VERSION into $sqlx_cache"
    cargo install sqlx-cli --version "$SQLX_CLI_VERSION" --locked \
      --no-default-features --features rustls,postgres,mysql,sqlite --root "$sqlx_cache"
  fi
  cp "$sqlx_cache/bin/sqlx" .tools/bin/sqlx
fi

# The official SARIF 2.1.0 JSON schema, for tests/cli_validate.rs. It ships inside Microsoft's
# SARIF Multitool package on the npm registry (cached per machine like sqlx-cli).
SARIF_MULTITOOL_VERSION=5.7.0
sarif_cache="${XDG_CACHE_HOME:-$HOME/.cache}/axiomod-tools/sarif-multitool-$SARIF_MULTITOOL_VERSION"
sarif_schema="$sarif_cache/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json"
if [ ! -f .tools/sarif-2.1.0.json ]; then
  if [ ! -f "$sarif_schema" ]; then
    echo "== installing the SARIF 2.1.0 schema (@microsoft/sarif-multitool-linux) into $sarif_cache"
    mkdir -p "$sarif_cache"
    npm install --silent --no-audit --no-fund --prefix "$sarif_cache" \
      "@microsoft/sarif-multitool-linux@$SARIF_MULTITOOL_VERSION"
  fi
  cp "$sarif_schema" .tools/sarif-2.1.0.json
fi
