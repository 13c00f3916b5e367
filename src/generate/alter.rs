//! A changed schema of a module scaffolded before, as the steps of a new reversible migration.
//!
//! The schema copy kept in `.axiomod/schemas/` is compared with the new schema; the
//! differences become ALTER steps for a new migration (a migration written before may be
//! applied, so it is never edited). A change that would lose data, or that the database
//! cannot make in place, is refused with what to do instead.

use miette::Diagnostic;
use serde::Serialize;
use thiserror::Error;

use crate::model::{Entity, Field, FieldType, Module, SqlName};

/// One step of an alter migration, rendered by the `change` macro of
/// `templates/scaffold/_migration.tera`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    CreateTable {
        entity: Entity,
    },
    DropTable {
        entity: Entity,
    },
    /// `nullable` is the field's `optional`, except when a down migration re-adds a dropped
    /// required column without a default: its values are gone, so it comes back nullable.
    AddColumn {
        table: SqlName,
        field: Field,
        nullable: bool,
    },
    DropColumn {
        table: SqlName,
        field: Field,
        nullable: bool,
    },
    AddUnique {
        table: SqlName,
        field: Field,
    },
    DropUnique {
        table: SqlName,
        field: Field,
    },
    AddIndex {
        table: SqlName,
        field: Field,
    },
    DropIndex {
        table: SqlName,
        field: Field,
    },
    /// PostgreSQL only: SQLite cannot change the CHECK constraints of a table in place.
    AddCheck {
        table: SqlName,
        field: Field,
    },
    DropCheck {
        table: SqlName,
        field: Field,
    },
}

impl Change {
    /// The step that undoes this one.
    pub fn inverse(&self) -> Change {
        match self.clone() {
            Change::CreateTable { entity } => Change::DropTable { entity },
            Change::DropTable { entity } => Change::CreateTable { entity },
            Change::AddColumn {
                table,
                field,
                nullable,
            } => Change::DropColumn {
                table,
                field,
                nullable,
            },
            Change::DropColumn {
                table,
                field,
                nullable,
            } => Change::AddColumn {
                table,
                field,
                nullable,
            },
            Change::AddUnique { table, field } => Change::DropUnique { table, field },
            Change::DropUnique { table, field } => Change::AddUnique { table, field },
            Change::AddIndex { table, field } => Change::DropIndex { table, field },
            Change::DropIndex { table, field } => Change::AddIndex { table, field },
            Change::AddCheck { table, field } => Change::DropCheck { table, field },
            Change::DropCheck { table, field } => Change::AddCheck { table, field },
        }
    }
}

/// The down steps of `up`: each undone, last first.
pub fn reverted(up: &[Change]) -> Vec<Change> {
    up.iter().rev().map(Change::inverse).collect()
}

#[derive(Debug, Error, Diagnostic)]
pub enum AlterError {
    #[error(
        "{entity}.{field} is a new required field without a default: the rows already in `{table}` would have no value for it"
    )]
    #[diagnostic(
        code(axiomod::scaffold::required_without_default),
        help("give `{field}` a `default`, or make it `optional = true`")
    )]
    RequiredWithoutDefault {
        entity: String,
        field: String,
        table: String,
    },
    #[error("{change}")]
    #[diagnostic(
        code(axiomod::scaffold::unsafe_change),
        help(
            "axiomod writes no migration that could lose data or that the database cannot run in place. Either revert the schema (the previous one is {previous}), or write this migration yourself (`axiomod migrate create <name>`) and re-run the scaffold with --no-migration to regenerate the code only"
        )
    )]
    UnsafeChange { change: String, previous: String },
}

/// The steps that take the tables of `previous` to those of `current` on `db` ("postgres"
/// or "sqlite"). `current_in_reference_order` is `current`'s entities with referenced ones
/// first, so new tables are created after the tables they refer to.
pub fn plan_changes(
    previous: &Module,
    current: &Module,
    current_in_reference_order: &[Entity],
    db: &str,
) -> Result<Vec<Change>, AlterError> {
    let module = &previous.name.snake;
    let find = |module: &Module, name: &str| {
        module
            .entities
            .iter()
            .find(|entity| entity.name.pascal == name)
            .cloned()
    };
    if let Some(removed) = previous
        .entities
        .iter()
        .find(|entity| find(current, &entity.name.pascal).is_none())
    {
        return Err(refuse(
            module,
            format!(
                "the entity {} is no longer in the schema: dropping its table `{}` would lose its rows",
                removed.name.pascal, removed.table.name
            ),
        ));
    }
    let mut changes: Vec<Change> = current_in_reference_order
        .iter()
        .filter(|entity| find(previous, &entity.name.pascal).is_none())
        .map(|entity| Change::CreateTable {
            entity: entity.clone(),
        })
        .collect();
    for entity in &current.entities {
        if let Some(earlier) = find(previous, &entity.name.pascal) {
            changes.extend(entity_changes(module, &earlier, entity, db)?);
        }
    }
    Ok(changes)
}

/// The refusal of `change` to module `module`'s tables.
fn refuse(module: &str, change: String) -> AlterError {
    AlterError::UnsafeChange {
        change,
        previous: format!("{}/{module}.*", super::scaffold::SCHEMAS_FOLDER),
    }
}

fn entity_changes(
    module: &str,
    previous: &Entity,
    current: &Entity,
    db: &str,
) -> Result<Vec<Change>, AlterError> {
    let entity = &current.name.pascal;
    if previous.table.name != current.table.name {
        return Err(refuse(
            module,
            format!(
                "the table of {entity} changes from `{}` to `{}`: a rename, which a new table would lose the rows of",
                previous.table.name, current.table.name
            ),
        ));
    }
    let named = |fields: &[Field], name: &str| {
        fields
            .iter()
            .find(|field| field.name.snake == name)
            .cloned()
    };
    let added: Vec<&Field> = current
        .fields
        .iter()
        .filter(|field| named(&previous.fields, &field.name.snake).is_none())
        .collect();
    let removed: Vec<&Field> = previous
        .fields
        .iter()
        .filter(|field| named(&current.fields, &field.name.snake).is_none())
        .collect();
    if !added.is_empty() && !removed.is_empty() {
        let names = |fields: &[&Field]| {
            fields
                .iter()
                .map(|field| field.name.snake.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(refuse(
            module,
            format!(
                "{entity} loses {} and gains {}: if that is a rename, a dropped and an added column would lose the values",
                names(&removed),
                names(&added)
            ),
        ));
    }
    let table = &current.table;
    let mut changes = Vec::new();
    for field in added {
        if !field.optional && field.default.is_none() {
            return Err(AlterError::RequiredWithoutDefault {
                entity: entity.clone(),
                field: field.name.snake.clone(),
                table: table.name.clone(),
            });
        }
        changes.extend(column_changes(table, field, field.optional));
    }
    for field in removed {
        let in_table_definition = field.unique
            || matches!(field.kind, FieldType::Ref(_))
            || field.mapping.sqlite_check.is_some();
        if db == "sqlite" && in_table_definition {
            return Err(refuse(
                module,
                format!(
                    "{entity}.{} is no longer in the schema, but SQLite cannot drop its column: its UNIQUE, FOREIGN KEY or CHECK constraint is part of the table `{}`",
                    field.name.snake, table.name
                ),
            ));
        }
        let nullable = field.optional || field.default.is_none();
        changes.extend(reverted(&column_changes(table, field, nullable)));
    }
    for field in &current.fields {
        if let Some(earlier) = named(&previous.fields, &field.name.snake) {
            changes.extend(field_changes(module, table, entity, &earlier, field, db)?);
        }
    }
    Ok(changes)
}

/// The steps that add `field`'s column with its unique constraint and index.
fn column_changes(table: &SqlName, field: &Field, nullable: bool) -> Vec<Change> {
    let mut changes = vec![Change::AddColumn {
        table: table.clone(),
        field: field.clone(),
        nullable,
    }];
    if field.unique {
        changes.push(Change::AddUnique {
            table: table.clone(),
            field: field.clone(),
        });
    }
    if has_index(field) {
        changes.push(Change::AddIndex {
            table: table.clone(),
            field: field.clone(),
        });
    }
    changes
}

/// A plain index: asked for, or a reference not already indexed by a unique constraint (the
/// rule of the create migration).
fn has_index(field: &Field) -> bool {
    field.indexed || (matches!(field.kind, FieldType::Ref(_)) && !field.unique)
}

fn field_changes(
    module: &str,
    table: &SqlName,
    entity: &str,
    previous: &Field,
    current: &Field,
    db: &str,
) -> Result<Vec<Change>, AlterError> {
    let name = format!("{entity}.{}", current.name.snake);
    let column_type = |field: &Field| {
        let database_type = if db == "postgres" {
            &field.mapping.postgres_type
        } else {
            &field.mapping.sqlite_type
        };
        let target = match &field.kind {
            FieldType::Ref(target) => format!(" to {}", target.entity.pascal),
            _ => String::new(),
        };
        format!("{}{target} ({database_type})", field.kind.keyword())
    };
    if previous.column.name != current.column.name {
        return Err(refuse(
            module,
            format!(
                "the column of {name} changes from `{}` to `{}`: a rename",
                previous.column.name, current.column.name
            ),
        ));
    }
    if column_type(previous) != column_type(current) {
        return Err(refuse(
            module,
            format!(
                "{name} changes type from {} to {}: converting its values needs a migration written for them",
                column_type(previous),
                column_type(current)
            ),
        ));
    }
    if previous.optional != current.optional {
        return Err(refuse(
            module,
            format!(
                "{name} changes from {} to {}: axiomod does not change NOT NULL on an existing column",
                optionality(previous),
                optionality(current)
            ),
        ));
    }
    let default = |field: &Field| {
        field.default.as_ref().map(|default| {
            if db == "postgres" {
                default.postgres.clone()
            } else {
                default.sqlite.clone()
            }
        })
    };
    if default(previous) != default(current) {
        return Err(refuse(
            module,
            format!(
                "the default of {name} changes: axiomod does not change the default of an existing column"
            ),
        ));
    }
    let check = |field: &Field| {
        if db == "postgres" {
            field.mapping.postgres_check.clone()
        } else {
            field.mapping.sqlite_check.clone()
        }
    };
    let mut changes = Vec::new();
    let step = |field: &Field| (table.clone(), field.clone());
    if check(previous) != check(current) {
        if db == "sqlite" {
            return Err(refuse(
                module,
                format!(
                    "the CHECK constraint of {name} changes (enum values, bounds or lengths), which SQLite cannot alter in place"
                ),
            ));
        }
        if check(previous).is_some() {
            let (table, field) = step(previous);
            changes.push(Change::DropCheck { table, field });
        }
        if check(current).is_some() {
            let (table, field) = step(current);
            changes.push(Change::AddCheck { table, field });
        }
    }
    match (previous.unique, current.unique) {
        (false, true) => {
            let (table, field) = step(current);
            changes.push(Change::AddUnique { table, field });
        }
        (true, false) if db == "sqlite" => {
            return Err(refuse(
                module,
                format!(
                    "{name} is no longer unique, but SQLite cannot drop a UNIQUE constraint of the table `{}` in place",
                    table.name
                ),
            ));
        }
        (true, false) => {
            let (table, field) = step(previous);
            changes.push(Change::DropUnique { table, field });
        }
        _ => {}
    }
    match (has_index(previous), has_index(current)) {
        (false, true) => {
            let (table, field) = step(current);
            changes.push(Change::AddIndex { table, field });
        }
        (true, false) => {
            let (table, field) = step(previous);
            changes.push(Change::DropIndex { table, field });
        }
        _ => {}
    }
    Ok(changes)
}

fn optionality(field: &Field) -> &'static str {
    if field.optional {
        "optional"
    } else {
        "required"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Format, parse_str};

    fn module(source: &str) -> Module {
        parse_str(source, "test.toml", Format::Toml, &[]).expect("a valid schema")
    }

    fn kinds(changes: &[Change]) -> Vec<String> {
        changes
            .iter()
            .map(|change| serde_json::to_value(change).unwrap()["kind"].to_string())
            .collect()
    }

    const BEFORE: &str =
        "module = \"m\"\n[entities.Item.fields]\nname = { type = \"string\", unique = true }\n";

    fn changes(after: &str, db: &str) -> Result<Vec<Change>, AlterError> {
        let current = module(after);
        plan_changes(&module(BEFORE), &current, &current.entities, db)
    }

    #[test]
    fn an_added_field_is_a_column_then_its_index_and_down_undoes_it_last_first() {
        let up = changes(
            &format!("{BEFORE}note = {{ type = \"text\", optional = true, indexed = true }}\n"),
            "postgres",
        )
        .unwrap();
        assert_eq!(kinds(&up), ["\"add_column\"", "\"add_index\""]);
        assert_eq!(kinds(&reverted(&up)), ["\"drop_index\"", "\"drop_column\""]);
    }

    #[test]
    fn an_unchanged_table_needs_no_step() {
        assert!(changes(BEFORE, "sqlite").unwrap().is_empty());
    }

    #[test]
    fn dropping_a_unique_constraint_is_refused_on_sqlite_only() {
        let after = "module = \"m\"\n[entities.Item.fields]\nname = { type = \"string\" }\n";
        assert_eq!(
            kinds(&changes(after, "postgres").unwrap()),
            ["\"drop_unique\""]
        );
        let refusal = changes(after, "sqlite").unwrap_err().to_string();
        assert!(refusal.contains("SQLite cannot drop a UNIQUE"), "{refusal}");
    }
}
