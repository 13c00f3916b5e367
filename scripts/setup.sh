#!/usr/bin/env bash
# Installs the tools the test suite uses, into ./.tools (kept between runs on one machine).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tools/bin
export PATH="$PWD/.tools/bin:$PATH"

# sqlx-cli 0.8.6: the migrate interop tests (tests/migrate_interop.rs) run it against the
# same databases as axiomod to prove byte-exact compatibility of `_sqlx_migrations`.
SQLX_CLI_VERSION=0.8.6
if ! .tools/bin/sqlx --version 2>/dev/null | grep -qx "sqlx-cli $SQLX_CLI_VERSION"; then
  echo "== installing sqlx-cli $SQLX_CLI_VERSION into .tools"
  cargo install sqlx-cli --version "$SQLX_CLI_VERSION" --locked \
    --no-default-features --features rustls,postgres,mysql,sqlite --root .tools
fi
