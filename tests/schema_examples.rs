//! The example schemas in schemas/examples/: they load, both formats give the same model, the
//! model of shop.toml is pinned by a snapshot.

use std::path::{Path, PathBuf};

use axiomod::model::{ExistingEntity, FieldType, Module, ServiceModel};
use axiomod::schema::{self, Format};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas/examples")
        .join(name)
}

fn load(name: &str, existing: &[ExistingEntity]) -> Module {
    let path = example(name);
    let source = std::fs::read_to_string(&path).unwrap();
    let format = Format::from_path(&path).unwrap();
    // A relative file name keeps the snapshot independent of the checkout location.
    match schema::parse_str(&source, name, format, existing) {
        Ok(module) => module,
        Err(errors) => panic!("{name}: {:?}", errors.into_report()),
    }
}

fn sales_entities() -> Vec<ExistingEntity> {
    ExistingEntity::all_of(&ServiceModel {
        modules: vec![load("shop.toml", &[])],
    })
}

#[test]
fn toml_and_yaml_give_the_same_model() {
    assert_eq!(load("shop.toml", &[]), load("shop.yaml", &[]));
    let existing = sales_entities();
    assert_eq!(
        load("support.toml", &existing),
        load("support.yaml", &existing)
    );
}

#[test]
fn shop_model_snapshot() {
    insta::assert_json_snapshot!("shop_model", load("shop.toml", &[]));
}

#[test]
fn load_reads_a_file_and_reports_with_the_path() {
    let module = schema::load(&example("shop.toml"), &[]).unwrap();
    assert_eq!(module.name.snake, "sales");
    assert_eq!(module.entities.len(), 4);
    let missing = schema::load(&example("missing.toml"), &[]).unwrap_err();
    assert!(
        missing.to_string().contains("cannot read schema file"),
        "{missing}"
    );
    let extension = schema::load(&example("shop.json"), &[]).unwrap_err();
    assert!(
        extension.to_string().contains("is not a schema file"),
        "{extension}"
    );
}

#[test]
fn support_refers_to_sales_and_handles_keywords() {
    let support = load("support.toml", &sales_entities());
    let ticket = &support.entities[0];
    assert_eq!(ticket.table.name, "tickets");
    let kind = &ticket.fields[0];
    assert_eq!(kind.name.rust_ident, "r#type");
    assert!(kind.name.raw_identifier);
    assert_eq!(kind.mapping.rust_type, "TicketType");
    let FieldType::Ref(target) = &ticket.fields[1].kind else {
        panic!("customer_id is a ref")
    };
    let (module, entity, table) = (&target.module, &target.entity, &target.table);
    assert_eq!(
        (
            module.snake.as_str(),
            entity.pascal.as_str(),
            table.name.as_str()
        ),
        ("sales", "Customer", "customers")
    );
    let user = &support.entities[1];
    assert_eq!(user.table.ident, "users");
    let group = &support.entities[2];
    assert!(group.events.is_empty());
    assert_eq!(group.fields[1].column.ident, "\"order\"");
    assert_eq!(
        group.fields[1].mapping.postgres_check.as_deref(),
        Some("\"order\" >= 0")
    );
}

#[test]
fn support_without_the_sales_module_fails() {
    let source = std::fs::read_to_string(example("support.toml")).unwrap();
    let errors = schema::parse_str(&source, "support.toml", Format::Toml, &[]).unwrap_err();
    assert_eq!(errors.errors.len(), 1);
    assert_eq!(
        errors.errors[0].to_string(),
        "`ref` to unknown entity `Customer` in module `sales`"
    );
}
