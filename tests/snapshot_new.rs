//! Snapshots of the project `axiomod new shop --db sqlite` renders, taken through the library so
//! the migration version is fixed. Review a change with `cargo insta review` (or set
//! `INSTA_UPDATE=always`, rerun, and read the diff of tests/snapshots/ before committing).

use std::path::Path;

use axiomod::generate::project::{Broker, Database, NewProject, render_project};
use axiomod::render::{Ownership, RenderedFile};

fn shop_sqlite() -> Vec<RenderedFile> {
    shop(Broker::None)
}

fn shop(broker: Broker) -> Vec<RenderedFile> {
    render_project(&NewProject {
        name: "shop".to_string(),
        database: Database::Sqlite,
        broker,
        migration_version: "20260101000000".to_string(),
    })
    .expect("the shop project renders")
}

fn contents<'a>(files: &'a [RenderedFile], path: &str) -> &'a str {
    &files
        .iter()
        .find(|file| file.path == Path::new(path))
        .unwrap_or_else(|| panic!("{path} is not rendered"))
        .contents
}

#[test]
fn tree() {
    let files = shop_sqlite();
    let listing: Vec<String> = files
        .iter()
        .map(|file| {
            let owner = match file.ownership {
                Ownership::Generated => "generated",
                Ownership::UserOwned => "user-owned",
                Ownership::Merged => "merged",
            };
            format!("{} ({owner})", file.path.display())
        })
        .collect();
    let mut sorted = listing.clone();
    sorted.sort();
    assert_eq!(listing, sorted, "render_project returns the files sorted");
    insta::assert_snapshot!(listing.join("\n"));
}

#[test]
fn cargo_toml() {
    insta::assert_snapshot!(contents(&shop_sqlite(), "Cargo.toml"));
}

#[test]
fn app_rs() {
    insta::assert_snapshot!(contents(&shop_sqlite(), "src/app.rs"));
}

#[test]
fn platform_db_rs() {
    insta::assert_snapshot!(contents(&shop_sqlite(), "src/platform/db.rs"));
}

#[test]
fn platform_broker_rs_nats() {
    insta::assert_snapshot!(contents(&shop(Broker::Nats), "src/platform/broker.rs"));
}

#[test]
fn platform_broker_rs_rabbitmq() {
    insta::assert_snapshot!(contents(&shop(Broker::Rabbitmq), "src/platform/broker.rs"));
}

#[test]
fn outbox_migration_up() {
    insta::assert_snapshot!(contents(
        &shop_sqlite(),
        "migrations/20260101000000_axiomod_outbox.up.sql"
    ));
}

#[test]
fn outbox_migration_down() {
    insta::assert_snapshot!(contents(
        &shop_sqlite(),
        "migrations/20260101000000_axiomod_outbox.down.sql"
    ));
}

#[test]
fn rendering_is_deterministic() {
    assert_eq!(shop_sqlite(), shop_sqlite());
}
