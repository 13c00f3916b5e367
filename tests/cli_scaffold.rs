//! `axiomod generate scaffold` on the real binary: what it writes, that re-running is a
//! no-op, that edits are never overwritten silently, and every bad input (exit 2, nothing
//! written). Building the generated code is the end-to-end test's job (tests/e2e_new.rs).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn axiomod() -> Command {
    Command::cargo_bin("axiomod").expect("the axiomod binary is built for tests")
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/examples")
}

/// A fresh `axiomod new` project in a temporary folder.
fn new_project(db: &str) -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().unwrap();
    let project = folder.path().join("shop");
    axiomod()
        .args(["new", "shop", "--yes", "--db", db, "--path"])
        .arg(&project)
        .assert()
        .success();
    (folder, project)
}

fn scaffold(project: &Path, schema: &Path) -> std::process::Output {
    axiomod()
        .args(["generate", "scaffold"])
        .arg(schema)
        .arg("--project")
        .arg(project)
        .output()
        .unwrap()
}

/// Every file under `root` with its bytes.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.insert(
                    path.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    files
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn write_schema(folder: &Path, name: &str, text: &str) -> PathBuf {
    let path = folder.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn scaffold_writes_every_layer_and_registers_the_module() {
    let (_folder, project) = new_project("sqlite");
    let output = scaffold(&project, &examples().join("shop.toml"));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    for entity in ["customer", "product", "order", "order_line"] {
        for path in [
            format!("src/modules/sales/domain/{entity}.rs"),
            format!("src/modules/sales/application/{entity}_service.rs"),
            format!("src/modules/sales/infrastructure/{entity}_repository.rs"),
            format!("src/modules/sales/api/{entity}.rs"),
        ] {
            assert!(project.join(&path).is_file(), "{path}");
        }
    }
    assert!(project.join("tests/sales.rs").is_file());
    let migrations: Vec<String> = std::fs::read_dir(project.join("migrations"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("_create_sales."))
        .collect();
    assert_eq!(migrations.len(), 2, "{migrations:?}");
    let up = std::fs::read_to_string(
        project.join("migrations").join(
            migrations
                .iter()
                .find(|name| name.ends_with(".up.sql"))
                .unwrap(),
        ),
    )
    .unwrap();
    // Referenced tables come first; the unique, foreign key and check constraints are there.
    let position = |table: &str| up.find(&format!("CREATE TABLE {table} (")).unwrap();
    assert!(position("customers") < position("orders"));
    assert!(position("orders") < position("order_lines"));
    assert!(
        up.contains("CONSTRAINT customers_email_key UNIQUE (email)"),
        "{up}"
    );
    assert!(
        up.contains("FOREIGN KEY (customer_id) REFERENCES customers (id)"),
        "{up}"
    );
    assert!(up.contains("CHECK ("), "{up}");

    let registry = std::fs::read_to_string(project.join("src/modules/mod.rs")).unwrap();
    assert!(registry.contains("pub mod sales;"), "{registry}");
    assert!(
        registry.contains(".merge(sales::routes(state))"),
        "{registry}"
    );
    let project_file = std::fs::read_to_string(project.join("axiomod.toml")).unwrap();
    assert!(
        project_file.contains("modules = [\"sales\"]"),
        "{project_file}"
    );
    assert!(
        project_file.contains("# axiomod project file"),
        "comments are kept: {project_file}"
    );
    let manifest = std::fs::read_to_string(project.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("rust_decimal = \"1\""), "{manifest}");
    assert!(manifest.contains("regex = \"1\""), "{manifest}");
    let recorded = std::fs::read_to_string(project.join(".axiomod/manifest.toml")).unwrap();
    assert!(
        recorded.contains("\"src/modules/sales/domain/order.rs\" = \"sha256:"),
        "{recorded}"
    );
}

#[test]
fn postgres_projects_get_postgres_tables_and_the_decimal_feature() {
    let (_folder, project) = new_project("postgres");
    let output = scaffold(&project, &examples().join("shop.yaml"));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let up_name = std::fs::read_dir(project.join("migrations"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .find(|name| name.ends_with("_create_sales.up.sql"))
        .unwrap();
    let up = std::fs::read_to_string(project.join("migrations").join(up_name)).unwrap();
    assert!(up.contains("id UUID PRIMARY KEY"), "{up}");
    assert!(up.contains("created_at TIMESTAMPTZ NOT NULL"), "{up}");
    assert!(up.contains("price NUMERIC NOT NULL"), "{up}");
    let manifest = std::fs::read_to_string(project.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("\"rust_decimal\""),
        "sqlx gains the rust_decimal feature: {manifest}"
    );
}

#[test]
fn running_the_same_scaffold_again_changes_nothing() {
    let (_folder, project) = new_project("sqlite");
    let schema = examples().join("shop.toml");
    assert!(scaffold(&project, &schema).status.success());
    let before = snapshot(&project);
    let output = scaffold(&project, &schema);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("up to date"));
    assert_eq!(snapshot(&project), before);
}

#[test]
fn an_edited_file_stops_the_run_with_a_diff_unless_forced() {
    let (_folder, project) = new_project("sqlite");
    let schema = examples().join("shop.toml");
    assert!(scaffold(&project, &schema).status.success());
    let edited = project.join("src/modules/sales/api/customer.rs");
    let mut text = std::fs::read_to_string(&edited).unwrap();
    text.push_str("\n// my change\n");
    std::fs::write(&edited, &text).unwrap();
    // Touch another generated file axiomod may update, to see that nothing is written.
    std::fs::remove_file(project.join("src/modules/sales/api/order.rs")).unwrap();
    let before = snapshot(&project);

    let output = scaffold(&project, &schema);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("src/modules/sales/api/customer.rs"),
        "{message}"
    );
    assert!(
        message.contains("-// my change"),
        "the diff is shown: {message}"
    );
    assert!(message.contains("--force"), "{message}");
    assert_eq!(snapshot(&project), before, "nothing was written");

    let output = axiomod()
        .args(["generate", "scaffold"])
        .arg(&schema)
        .arg("--project")
        .arg(&project)
        .arg("--force")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        !std::fs::read_to_string(&edited)
            .unwrap()
            .contains("// my change")
    );
    assert!(project.join("src/modules/sales/api/order.rs").is_file());
}

#[test]
fn dry_run_lists_the_plan_and_writes_nothing() {
    let (_folder, project) = new_project("sqlite");
    let before = snapshot(&project);
    let output = axiomod()
        .args(["generate", "scaffold"])
        .arg(examples().join("shop.toml"))
        .arg("--project")
        .arg(&project)
        .args(["--dry-run", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(plan["dry_run"], true);
    let files = plan["files"].as_array().unwrap();
    assert!(files.iter().any(
        |file| file["path"] == "src/modules/sales/domain/customer.rs" && file["action"] == "create"
    ));
    assert!(
        files
            .iter()
            .any(|file| file["path"] == "Cargo.toml" && file["action"] == "update")
    );
    assert_eq!(snapshot(&project), before);
}

#[test]
fn a_module_can_refer_to_entities_of_a_module_scaffolded_before() {
    let (_folder, project) = new_project("sqlite");
    let output = scaffold(&project, &examples().join("support.toml"));
    assert_eq!(output.status.code(), Some(2), "sales does not exist yet");
    assert!(stderr(&output).contains("Customer"), "{}", stderr(&output));
    assert!(
        scaffold(&project, &examples().join("shop.toml"))
            .status
            .success()
    );
    let output = scaffold(&project, &examples().join("support.toml"));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let project_file = std::fs::read_to_string(project.join("axiomod.toml")).unwrap();
    assert!(
        project_file.contains("modules = [\"sales\", \"support\"]"),
        "{project_file}"
    );
    let ticket =
        std::fs::read_to_string(project.join("src/modules/support/domain/ticket.rs")).unwrap();
    assert!(ticket.contains("pub r#type: TicketType"), "{ticket}");
}

#[test]
fn nats_projects_list_each_table_with_events_in_the_relay_stream_subjects() {
    let folder = tempfile::tempdir().unwrap();
    let project = folder.path().join("shop");
    axiomod()
        .args([
            "new", "shop", "--yes", "--db", "sqlite", "--broker", "nats", "--path",
        ])
        .arg(&project)
        .assert()
        .success();
    let config = || std::fs::read_to_string(project.join("config/default.toml")).unwrap();
    let original = config();
    assert!(
        scaffold(&project, &examples().join("shop.toml"))
            .status
            .success()
    );
    let subjects = |text: &str| -> Vec<String> {
        let document: toml::Table = text.parse().unwrap();
        document["relay"]["stream_subjects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|subject| subject.as_str().unwrap().to_owned())
            .collect()
    };
    let after_shop = config();
    assert_eq!(
        subjects(&after_shop),
        ["customers.>", "products.>", "orders.>", "order_lines.>"]
    );
    let added = [
        "stream_subjects = ",
        "# NATS: the subjects",
        "# (one `<table>.>`",
    ];
    let kept: Vec<&str> = after_shop
        .lines()
        .filter(|line| !added.iter().any(|start| line.starts_with(start)))
        .collect();
    assert_eq!(
        kept,
        original.lines().collect::<Vec<_>>(),
        "only the subjects are added, comments and the rest kept:\n{after_shop}"
    );
    // The second module's tables with events are added; `groups` has none.
    assert!(
        scaffold(&project, &examples().join("support.toml"))
            .status
            .success()
    );
    assert_eq!(
        subjects(&config()),
        [
            "customers.>",
            "products.>",
            "orders.>",
            "order_lines.>",
            "tickets.>",
            "users.>"
        ]
    );
    let before = snapshot(&project);
    assert!(
        scaffold(&project, &examples().join("support.toml"))
            .status
            .success()
    );
    assert_eq!(snapshot(&project), before, "a second run changes nothing");
}

#[test]
fn an_entity_whose_table_or_route_another_module_has_is_refused() {
    let (folder, project) = new_project("sqlite");
    assert!(
        scaffold(&project, &examples().join("shop.toml"))
            .status
            .success()
    );
    let before = snapshot(&project);
    let cases = [
        (
            "same_route.toml",
            "module = \"billing\"\n[entities.Customer]\ntable = \"billing_customers\"\n[entities.Customer.fields]\nname = { type = \"string\" }\n",
            "same_route.toml:2:",
            "route `/api/v1/customers` is already served by entity `Customer` of module `sales`",
        ),
        (
            "same_table.toml",
            "module = \"billing\"\n[entities.Client]\ntable = \"customers\"\n[entities.Client.fields]\nname = { type = \"string\" }\n",
            "same_table.toml:3:",
            "table `customers` is already used by entity `Customer` of module `sales`",
        ),
    ];
    for (name, text, place, message) in cases {
        let schema = write_schema(folder.path(), name, text);
        let output = scaffold(&project, &schema);
        assert_eq!(output.status.code(), Some(2), "{name}: {}", stderr(&output));
        let report = stderr(&output)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(report.contains(place), "{name}: {report}");
        assert!(report.contains(message), "{name}: {report}");
        assert_eq!(snapshot(&project), before, "{name} wrote something");
    }
    let renamed = write_schema(
        folder.path(),
        "renamed.toml",
        "module = \"billing\"\n[entities.BillingCustomer.fields]\nname = { type = \"string\" }\n",
    );
    let output = scaffold(&project, &renamed);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn bad_inputs_exit_2_and_write_nothing() {
    let (folder, project) = new_project("sqlite");
    let cases = [
        (
            "unknown_type.toml",
            "module = \"sales\"\n[entities.Order.fields]\ntotal = { type = \"money\" }\n",
            "unknown_type.toml:3:",
        ),
        (
            "list_parameter.toml",
            "module = \"sales\"\n[entities.Order.fields]\nlimit = { type = \"i32\" }\n",
            "limit",
        ),
        (
            "cycle.toml",
            "module = \"sales\"\n[entities.A.fields]\nb_id = { type = \"ref\", entity = \"B\" }\n[entities.B.fields]\na_id = { type = \"ref\", entity = \"A\" }\n",
            "A -> B -> A",
        ),
        ("wrong.json", "{}", "wrong.json"),
    ];
    let before = snapshot(&project);
    for (name, text, expected) in cases {
        let schema = write_schema(folder.path(), name, text);
        let output = scaffold(&project, &schema);
        assert_eq!(output.status.code(), Some(2), "{name}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(expected),
            "{name}: {}",
            stderr(&output)
        );
        assert_eq!(snapshot(&project), before, "{name} wrote something");
    }
    let missing = scaffold(&project, &folder.path().join("missing.toml"));
    assert_eq!(missing.status.code(), Some(2));
    let elsewhere = tempfile::tempdir().unwrap();
    let output = scaffold(elsewhere.path(), &examples().join("shop.toml"));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("has no axiomod.toml"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn with_format_json_an_error_is_one_json_document_with_its_position() {
    let (folder, project) = new_project("sqlite");
    let schema = write_schema(
        folder.path(),
        "unknown_type.toml",
        "module = \"sales\"\n[entities.Order.fields]\ntotal = { type = \"money\" }\n",
    );
    let output = axiomod()
        .args(["generate", "scaffold"])
        .arg(&schema)
        .arg("--project")
        .arg(&project)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let error: serde_json::Value = serde_json::from_slice(&output.stderr)
        .unwrap_or_else(|problem| panic!("{problem}: {}", stderr(&output)));
    let label = &error["error"]["labels"][0];
    assert_eq!(label["file"], schema.display().to_string(), "{error}");
    assert_eq!(
        (&label["line"], &label["column"]),
        (&3.into(), &18.into()),
        "{error}"
    );
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("money"),
        "{error}"
    );
}

fn changed_schema() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scaffold/shop_changed.toml")
}

/// The names of the files in `migrations/`, sorted.
fn migration_names(project: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(project.join("migrations"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The up and down SQL of the module's alter migration.
fn alter_migration(project: &Path) -> (String, String) {
    let names = migration_names(project);
    let read = |suffix: &str| {
        let name = names
            .iter()
            .find(|name| name.ends_with(suffix))
            .unwrap_or_else(|| panic!("no *{suffix} in {names:?}"));
        std::fs::read_to_string(project.join("migrations").join(name)).unwrap()
    };
    (read("_alter_sales.up.sql"), read("_alter_sales.down.sql"))
}

#[test]
fn a_changed_schema_gets_a_new_alter_migration_and_the_first_stays_as_it_was() {
    for db in ["sqlite", "postgres"] {
        let (_folder, project) = new_project(db);
        assert!(
            scaffold(&project, &examples().join("shop.toml"))
                .status
                .success()
        );
        let before = snapshot(&project);
        let output = scaffold(&project, &changed_schema());
        assert_eq!(output.status.code(), Some(0), "{db}: {}", stderr(&output));
        let after = snapshot(&project);
        for (path, contents) in &before {
            if path.starts_with("migrations") {
                assert_eq!(after.get(path), Some(contents), "{db}: {path:?} was edited");
            }
        }
        let (up, down) = alter_migration(&project);
        let new_migrations = migration_names(&project).len()
            - before
                .keys()
                .filter(|path| path.starts_with("migrations"))
                .count();
        assert_eq!(new_migrations, 2, "{db}: one up and one down");
        // A new table, added columns with their constraints, a dropped column and index.
        assert!(up.contains("CREATE TABLE coupons ("), "{db}: {up}");
        assert!(
            up.contains(
                "ADD COLUMN loyalty TEXT NOT NULL DEFAULT 'bronze' CONSTRAINT customers_loyalty_check CHECK (loyalty IN ('bronze', 'gold'));"
            ),
            "{db}: {up}"
        );
        assert!(
            up.contains("CONSTRAINT customers_referrer_id_fkey REFERENCES customers (id);"),
            "{db}: {up}"
        );
        assert!(
            up.contains("CREATE INDEX customers_loyalty_idx ON customers (loyalty);"),
            "{db}: {up}"
        );
        assert!(
            up.contains("ALTER TABLE products DROP COLUMN website;"),
            "{db}: {up}"
        );
        assert!(up.contains("DROP INDEX products_name_idx;"), "{db}: {up}");
        let unique = match db {
            "postgres" => {
                "ALTER TABLE customers ADD CONSTRAINT customers_nickname_key UNIQUE (nickname);"
            }
            _ => "CREATE UNIQUE INDEX customers_nickname_key ON customers (nickname);",
        };
        assert!(up.contains(unique), "{db}: {up}");
        // The down migration undoes each step, last first.
        assert!(
            down.contains("ALTER TABLE products ADD COLUMN website TEXT;"),
            "{db}: {down}"
        );
        assert!(
            down.contains("ALTER TABLE customers DROP COLUMN loyalty;"),
            "{db}: {down}"
        );
        assert!(
            down.trim_end().ends_with("DROP TABLE coupons;"),
            "{db}: {down}"
        );
        // The code follows the new schema; the schema copy is the new one.
        let customer =
            std::fs::read_to_string(project.join("src/modules/sales/domain/customer.rs")).unwrap();
        assert!(
            customer.contains("pub loyalty: CustomerLoyalty"),
            "{customer}"
        );
        assert!(project.join("src/modules/sales/api/coupon.rs").is_file());

        // Running it again changes nothing: no second alter migration.
        let settled = snapshot(&project);
        let output = scaffold(&project, &changed_schema());
        assert_eq!(output.status.code(), Some(0), "{db}: {}", stderr(&output));
        assert_eq!(snapshot(&project), settled, "{db}");
    }
}

#[test]
fn a_change_without_table_changes_regenerates_code_only() {
    let (folder, project) = new_project("sqlite");
    assert!(
        scaffold(&project, &examples().join("shop.toml"))
            .status
            .success()
    );
    let text = std::fs::read_to_string(examples().join("shop.toml"))
        .unwrap()
        .replace(
            "events = [\"created\", \"updated\"]",
            "events = [\"created\"]",
        );
    let schema = write_schema(folder.path(), "shop.toml", &text);
    let migrations = migration_names(&project);
    let output = scaffold(&project, &schema);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(migration_names(&project), migrations);
    let customer =
        std::fs::read_to_string(project.join("src/modules/sales/domain/customer.rs")).unwrap();
    assert!(!customer.contains("CustomerUpdated"), "{customer}");
}

#[test]
fn no_migration_regenerates_the_code_of_a_change_migrated_by_hand() {
    let (folder, project) = new_project("sqlite");
    assert!(
        scaffold(&project, &examples().join("shop.toml"))
            .status
            .success()
    );
    let text = std::fs::read_to_string(examples().join("shop.toml"))
        .unwrap()
        .replace(
            "price      = { type = \"decimal\", min = 0 }",
            "price      = { type = \"i64\", min = 0 }",
        );
    let schema = write_schema(folder.path(), "shop.toml", &text);
    let migrations = migration_names(&project);
    assert_eq!(scaffold(&project, &schema).status.code(), Some(2));
    let output = axiomod()
        .args(["generate", "scaffold"])
        .arg(&schema)
        .arg("--project")
        .arg(&project)
        .arg("--no-migration")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(migration_names(&project), migrations);
    let product =
        std::fs::read_to_string(project.join("src/modules/sales/domain/product.rs")).unwrap();
    assert!(product.contains("pub price: i64"), "{product}");
}

#[test]
fn schema_changes_that_could_lose_data_are_refused() {
    let shop = std::fs::read_to_string(examples().join("shop.toml")).unwrap();
    let vip = "vip        = { type = \"bool\", default = false }";
    let cases = [
        (
            "sqlite",
            shop.replace(vip, &format!("{vip}\nlevel = {{ type = \"i32\" }}")),
            vec!["Customer.level is a new required field without a default", "`default`"],
        ),
        (
            "postgres",
            shop.replace("total       = { type = \"decimal\", min = 0 }", "total       = { type = \"f64\", min = 0 }"),
            vec!["Order.total changes type from decimal (NUMERIC) to f64 (DOUBLE PRECISION)", "axiomod migrate create"],
        ),
        (
            "sqlite",
            shop.replace("birthday   =", "born_on    ="),
            vec!["Customer loses birthday and gains born_on", "rename"],
        ),
        (
            "sqlite",
            shop.replace("[entities.OrderLine.fields]", "[entities.Line.fields]"),
            vec!["the entity OrderLine is no longer in the schema", "would lose its rows"],
        ),
        (
            "sqlite",
            shop.replace(
                "email      = { type = \"string\", format = \"email\", max_length = 255, unique = true }",
                "email      = { type = \"string\", format = \"email\", max_length = 255 }",
            ),
            vec!["Customer.email is no longer unique",
                "SQLite cannot drop a UNIQUE"],
        ),
        (
            "sqlite",
            shop.replace("quantity   = { type = \"i32\", min = 1, max = 1000 }", "quantity   = { type = \"i32\", min = 1, max = 5000 }"),
            vec!["the CHECK constraint of OrderLine.quantity"],
        ),
        (
            "postgres",
            shop.replace("note        = { type = \"text\", max_length = 2000, optional = true }", "note        = { type = \"text\", max_length = 2000 }"),
            vec!["Order.note changes from optional to required"],
        ),
    ];
    for (db, text, expected) in cases {
        let (folder, project) = new_project(db);
        assert!(
            scaffold(&project, &examples().join("shop.toml"))
                .status
                .success()
        );
        let schema = write_schema(folder.path(), "shop.toml", &text);
        let before = snapshot(&project);
        let output = scaffold(&project, &schema);
        assert_eq!(output.status.code(), Some(2), "{db}: {}", stderr(&output));
        for part in expected {
            assert!(
                stderr(&output).contains(part),
                "{db}: {part}: {}",
                stderr(&output)
            );
        }
        assert_eq!(snapshot(&project), before, "{db}: nothing is written");
    }
}

#[test]
fn postgres_check_changes_are_dropped_and_added_again() {
    let (folder, project) = new_project("postgres");
    assert!(
        scaffold(&project, &examples().join("shop.toml"))
            .status
            .success()
    );
    let text = std::fs::read_to_string(examples().join("shop.toml"))
        .unwrap()
        .replace(
            "\"shipped\", \"cancelled\"]",
            "\"shipped\", \"cancelled\", \"refunded\"]",
        );
    let schema = write_schema(folder.path(), "shop.toml", &text);
    let output = scaffold(&project, &schema);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let (up, down) = alter_migration(&project);
    assert!(
        up.contains("ALTER TABLE orders DROP CONSTRAINT orders_status_check;\nALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN ('pending', 'paid', 'shipped', 'cancelled', 'refunded'));"),
        "{up}"
    );
    assert!(
        down.contains("CHECK (status IN ('pending', 'paid', 'shipped', 'cancelled'));"),
        "{down}"
    );
}
