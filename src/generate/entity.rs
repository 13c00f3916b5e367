//! `axiomod generate entity <Name> --module <m> <field:type[:modifier]>...`: adds an entity
//! to a module's schema copy (`.axiomod/schemas/<m>.toml`, started when the module has none)
//! and scaffolds the module from it: the entity's slice, and a migration for its table.

use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;
use toml_edit::{DocumentMut, InlineTable, Item, Table};

use super::scaffold::{self, Project, SCHEMAS_FOLDER, ScaffoldPlan, SchemaMigration};
use crate::model::Name;

/// The field types a command-line spec can name; enums and refs need more than a word.
const SIMPLE_TYPES: [&str; 11] = [
    "string", "text", "bool", "i32", "i64", "f64", "decimal", "uuid", "date", "datetime", "json",
];

/// The modifiers a field spec may add after its type.
const MODIFIERS: [&str; 3] = ["optional", "unique", "indexed"];

#[derive(Debug, Error, Diagnostic)]
pub enum EntityError {
    #[error("field {position} `{spec}`, column {column}: {reason}")]
    #[diagnostic(
        code(axiomod::generate::field_spec),
        help(
            "write fields as name:type[:optional][:unique][:indexed], e.g. `title:string:unique price:decimal:optional`; types: string, text, bool, i32, i64, f64, decimal, uuid, date, datetime, json. For enums, references, defaults and constraints, edit the schema file and run `axiomod generate scaffold`"
        )
    )]
    FieldSpec {
        position: usize,
        spec: String,
        column: usize,
        reason: String,
    },
    #[error("`{name}` cannot be an entity name: {reason}")]
    #[diagnostic(
        code(axiomod::generate::entity_name),
        help("use a PascalCase name, e.g. `Invoice`")
    )]
    InvalidName { name: String, reason: String },
    #[error("the project has no module `{module}` (modules: {known})")]
    #[diagnostic(
        code(axiomod::generate::unknown_module),
        help("create it with `axiomod generate module {module}`, or pass an existing --module")
    )]
    UnknownModule { module: String, known: String },
    #[error("the module `{module}` already has an entity {entity}")]
    #[diagnostic(
        code(axiomod::generate::entity_exists),
        help(
            "pick another name, or change the entity in {schema} and run `axiomod generate scaffold {schema}`"
        )
    )]
    Exists {
        module: String,
        entity: String,
        schema: String,
    },
    #[error("the schema of the module `{module}` is {schema}, which this command cannot edit")]
    #[diagnostic(
        code(axiomod::generate::yaml_schema),
        help("add the entity to a copy of {schema} and run `axiomod generate scaffold` on it")
    )]
    NotToml { module: String, schema: String },
    #[error("{schema} is not valid TOML: {message}")]
    #[diagnostic(code(axiomod::generate::schema_copy))]
    SchemaCopy { schema: String, message: String },
}

/// Everything `generate entity` would write: the module scaffolded from its schema copy with
/// the new entity added.
pub fn plan_entity(
    project: &Project,
    module: &str,
    entity: &str,
    field_specs: &[String],
    now_version: &str,
) -> miette::Result<ScaffoldPlan> {
    if !project.modules.iter().any(|name| name == module) {
        return Err(EntityError::UnknownModule {
            module: module.to_string(),
            known: if project.modules.is_empty() {
                "none yet".to_string()
            } else {
                project.modules.join(", ")
            },
        }
        .into());
    }
    let name = Name::entity(entity).map_err(|error| EntityError::InvalidName {
        name: entity.to_string(),
        reason: error.to_string(),
    })?;
    let fields = field_specs
        .iter()
        .enumerate()
        .map(|(index, spec)| parse_field(index + 1, spec))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some((position, (field, _))) = fields
        .iter()
        .enumerate()
        .find(|(index, (field, _))| fields[..*index].iter().any(|(earlier, _)| earlier == field))
    {
        return Err(EntityError::FieldSpec {
            position: position + 1,
            spec: field_specs[position].clone(),
            column: 1,
            reason: format!("`{field}` is named by an earlier field too"),
        }
        .into());
    }
    let copy = PathBuf::from(format!("{SCHEMAS_FOLDER}/{module}.toml"));
    let mut document = schema_document(project, module, &copy)?;
    let entities = document
        .entry("entities")
        .or_insert_with(|| Item::Table(implicit_table()));
    let entities = entities
        .as_table_like_mut()
        .ok_or_else(|| EntityError::SchemaCopy {
            schema: copy.display().to_string(),
            message: "`entities` is not a table".to_string(),
        })?;
    if entities.contains_key(&name.pascal) {
        return Err(EntityError::Exists {
            module: module.to_string(),
            entity: name.pascal,
            schema: copy.display().to_string(),
        }
        .into());
    }
    let mut field_table = Table::new();
    for (field, definition) in fields {
        field_table.insert(&field, toml_edit::value(definition));
    }
    let mut entity_table = implicit_table();
    entity_table.insert("fields", Item::Table(field_table));
    entities.insert(&name.pascal, Item::Table(entity_table));
    scaffold::plan_scaffold_source(
        project,
        &document.to_string(),
        &copy,
        now_version,
        SchemaMigration::Write,
        None,
    )
}

/// The module's TOML schema copy, or a new one when the module has none yet.
fn schema_document(
    project: &Project,
    module: &str,
    copy: &std::path::Path,
) -> Result<DocumentMut, EntityError> {
    if let Some(other) = scaffold::schema_copy(project, module).filter(|path| {
        path.extension()
            .is_some_and(|extension| extension != "toml")
    }) {
        return Err(EntityError::NotToml {
            module: module.to_string(),
            schema: other.display().to_string(),
        });
    }
    let path = project.root.join(copy);
    let Ok(text) = std::fs::read_to_string(&path) else {
        let mut document = DocumentMut::new();
        document.insert("module", toml_edit::value(module));
        return Ok(document);
    };
    text.parse()
        .map_err(|error: toml_edit::TomlError| EntityError::SchemaCopy {
            schema: path.display().to_string(),
            message: error.to_string(),
        })
}

fn implicit_table() -> Table {
    let mut table = Table::new();
    table.set_implicit(true);
    table
}

/// `name:type[:modifier]...` as the field's name and its schema definition.
fn parse_field(position: usize, spec: &str) -> Result<(String, InlineTable), EntityError> {
    let fail = |column: usize, reason: String| EntityError::FieldSpec {
        position,
        spec: spec.to_string(),
        column,
        reason,
    };
    let mut parts = Vec::new();
    let mut column = 1;
    for part in spec.split(':') {
        parts.push((column, part));
        column += part.chars().count() + 1;
    }
    let (_, name) = parts[0];
    if name.is_empty() {
        return Err(fail(1, "the field name is missing".to_string()));
    }
    // Checked here too, so that the message points at the command line, not at the schema
    // copy the fields are written to.
    if let Err(error) = Name::field(name) {
        return Err(fail(1, error.to_string()));
    }
    if let Some(reserved) = crate::schema::reserved_field(name) {
        let help = reserved.help().unwrap_or_default();
        return Err(fail(1, format!("{reserved}: {help}")));
    }
    let Some(&(type_column, kind)) = parts.get(1) else {
        return Err(fail(
            spec.chars().count() + 1,
            format!("`{name}` has no type: write `{name}:<type>`"),
        ));
    };
    if !SIMPLE_TYPES.contains(&kind) {
        let reason = match kind {
            "enum" | "ref" => format!(
                "`{kind}` fields need values or a target: add them to the schema file instead"
            ),
            "" => "the type is missing".to_string(),
            _ => format!("unknown type `{kind}`"),
        };
        return Err(fail(type_column, reason));
    }
    let mut definition = InlineTable::new();
    definition.insert("type", kind.into());
    for &(modifier_column, modifier) in &parts[2..] {
        if !MODIFIERS.contains(&modifier) {
            return Err(fail(
                modifier_column,
                format!("unknown modifier `{modifier}` (optional, unique or indexed)"),
            ));
        }
        definition.insert(modifier, true.into());
    }
    Ok((name.to_string(), definition))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_specs_become_schema_definitions() {
        let (name, definition) = parse_field(1, "price:decimal:optional:indexed").unwrap();
        assert_eq!(name, "price");
        assert_eq!(
            definition.to_string(),
            "{ type = \"decimal\", optional = true, indexed = true }"
        );
    }

    #[test]
    fn bad_field_specs_say_where() {
        let reason = |spec: &str| parse_field(2, spec).unwrap_err().to_string();
        assert_eq!(
            reason("price:money"),
            "field 2 `price:money`, column 7: unknown type `money`"
        );
        assert_eq!(
            reason("title:string:uniq"),
            "field 2 `title:string:uniq`, column 14: unknown modifier `uniq` (optional, unique or indexed)"
        );
        assert!(reason("title").contains("column 6: `title` has no type"));
        assert!(reason(":string").contains("column 1: the field name is missing"));
        assert_eq!(
            reason("Title:string"),
            "field 2 `Title:string`, column 1: `Title` is not a snake_case name"
        );
        assert!(reason("version:i64").contains("column 1: field `version` is implicit"));
        assert!(reason("sort:string").contains("column 1: a field cannot be named `sort`"));
        assert!(
            parse_field(2, "type:string").is_ok(),
            "a keyword is a raw identifier"
        );
        assert!(reason("status:enum").contains("column 8"));
    }
}
