//! Property test (issue 4): random valid schemas (tests/support/schemas.rs: every field type
//! and constraint, refs within and across modules, enums, defaults, optional fields, keyword
//! and reserved-word names), scaffolded as separate modules into one generated project, give
//! a project that passes its own `cargo fmt --check`, `cargo clippy -D warnings` and
//! `cargo test`, for SQLite and for PostgreSQL.
//!
//! Every case is a full build of a generated project, so a run draws one set of schemas
//! (no shrinking): `RANDOM_SCHEMAS` of them (default 3, at most 16), from the seed
//! `RANDOM_SCHEMAS_SEED` (default 1). The seed and every schema are printed first, so a
//! failure shows what to reproduce with. A schema that found a bug is kept, reduced, in
//! fixtures/scaffold/random_regressions.toml, scaffolded into the same projects.
//!
//! `RANDOM_SCHEMAS=6 RANDOM_SCHEMAS_SEED=7 cargo test --test e2e_random_schemas`

mod support;

use std::path::Path;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use support::project::{check_project, generate, scaffold};
use support::schemas::{SchemaDefinition, schemas_strategy, to_toml, to_yaml};

fn number_from_env(variable: &str, default: u64) -> u64 {
    match std::env::var(variable) {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("{variable} must be a number, found `{text}`")),
        Err(_) => default,
    }
}

/// The schemas of this run, drawn from the seed, with modules `random_1`, `random_2`, …
fn random_schemas() -> (u64, Vec<SchemaDefinition>) {
    let count = number_from_env("RANDOM_SCHEMAS", 3);
    let seed = number_from_env("RANDOM_SCHEMAS_SEED", 1);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let modules = (1..=count).map(|index| format!("random_{index}")).collect();
    let schemas = schemas_strategy(modules)
        .new_tree(&mut runner)
        .expect("the strategy draws a value")
        .current();
    (seed, schemas)
}

/// Schemas that once broke the generated project, scaffolded before the random ones.
const REGRESSIONS: &str = "fixtures/scaffold/random_regressions.toml";

/// Scaffolds the regression cases, then writes this run's schemas next to `project` (TOML and
/// YAML in turn, so both front ends are used), prints them, and scaffolds them in order (a
/// module may refer to the ones before it).
fn scaffold_random_schemas(project: &Path) {
    scaffold(
        project,
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(REGRESSIONS),
    );
    let (seed, schemas) = random_schemas();
    eprintln!(
        "random schemas of seed {seed} (RANDOM_SCHEMAS={} RANDOM_SCHEMAS_SEED={seed} to reproduce):",
        schemas.len()
    );
    let folder = project.parent().expect("the project lies in a workspace");
    for (index, schema) in schemas.iter().enumerate() {
        let (extension, text) = if index % 2 == 0 {
            ("toml", to_toml(schema))
        } else {
            ("yaml", to_yaml(schema))
        };
        let path = folder.join(format!("{}.{extension}", schema.module));
        eprintln!("----- {} -----\n{text}", path.display());
        std::fs::write(&path, text).expect("the schema is written");
        scaffold(project, &path);
    }
}

#[test]
fn random_schemas_give_a_sqlite_project_that_passes_its_checks() {
    let (_workspace, project) = generate("random-sqlite", "sqlite", "none");
    scaffold_random_schemas(&project);
    check_project(&project, &[]);
}

#[test]
fn random_schemas_give_a_postgres_project_that_passes_its_checks() {
    let Some(server) = support::postgres_url() else {
        return;
    };
    let (_workspace, project) = generate("random-postgres", "postgres", "none");
    scaffold_random_schemas(&project);
    check_project(&project, &[("DATABASE_URL", &format!("{server}/postgres"))]);
}
