//! Random *valid* entity schemas (proptest strategies) and their TOML and YAML text: every
//! field type and constraint, defaults, optional fields, enums, refs inside a module and to
//! modules before it, explicit and default tables, events, and names that are Rust keywords
//! or SQL reserved words (fields `type`, `match`, `gen`; entities `User`, `Match`; table
//! `order`).
//!
//! Used by tests/schema_fuzz.rs (one module: parse in both formats) and
//! tests/e2e_random_schemas.rs (several modules scaffolded into one project and built).

use proptest::prelude::*;
use serde_json::{Value, json};

/// A field of a generated schema: its name and its inline table as JSON (key order kept).
#[derive(Debug, Clone)]
pub struct FieldDefinition {
    pub name: &'static str,
    pub table: Vec<(&'static str, Value)>,
}

/// A generated entity. `singular_table` sets `table` to the entity's own (singular) name,
/// which is a SQL reserved word for `Order`, `User`, `Group`, `Key`…; otherwise the default
/// plural table is used. `events: None` leaves the default (all three).
#[derive(Debug, Clone)]
pub struct EntityDefinition {
    pub name: &'static str,
    pub singular_table: bool,
    pub events: Option<Vec<&'static str>>,
    pub fields: Vec<FieldDefinition>,
}

/// One schema file: a module and its entities.
#[derive(Debug, Clone)]
pub struct SchemaDefinition {
    pub module: String,
    pub entities: Vec<EntityDefinition>,
}

/// Entity names: single words, so their snake_case form is the lowercase name. Entities are
/// unique across all generated modules (their tables and URL paths share one service).
pub const ENTITY_NAMES: &[&str] = &[
    "Order", "Customer", "User", "Group", "Type", "Item", "Person", "Category", "Match", "Key",
    "Status", "Address", "Select", "Index", "Child", "Leaf",
];
const FIELD_NAMES: &[&str] = &[
    "type", "name", "order", "status", "amount", "note", "match", "user", "total", "code", "group",
    "ref", "gen", "async", "key", "value",
];
const PATTERNS: &[&str] = &[
    "^[a-z]+$",
    "^[A-Z]{3}-[0-9]{4}$",
    "^(red|green|blue)$",
    "[0-9]",
    "^x*y?$",
];
const EVENTS: [&str; 3] = ["created", "updated", "deleted"];

/// An entity a ref may point at. `required_allowed` is false for the entity itself and the
/// ones after it in its module: a required ref to them could form a cycle no record could
/// ever satisfy, so such refs are made optional.
#[derive(Debug, Clone)]
struct RefTarget {
    module: Option<String>,
    entity: &'static str,
    required_allowed: bool,
}

fn string_table() -> impl Strategy<Value = Vec<(&'static str, Value)>> {
    (
        0..3usize,
        0..20u32,
        0..60u32,
        0..PATTERNS.len(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(variant, min, extra, pattern, text, default)| {
            let kind = if text { "text" } else { "string" };
            match variant {
                0 => {
                    let max = min.max(1) + extra;
                    let mut table = vec![
                        ("type", json!(kind)),
                        ("min_length", json!(min)),
                        ("max_length", json!(max)),
                    ];
                    if default {
                        // Quotes, a backslash, braces and a non-ASCII letter: escaped in
                        // Rust and SQL literals alike.
                        let default: String = "a\"'\\é{}"
                            .chars()
                            .cycle()
                            .take(min.max(1) as usize)
                            .collect();
                        table.push(("default", json!(default)));
                    }
                    table
                }
                1 => vec![("type", json!(kind)), ("pattern", json!(PATTERNS[pattern]))],
                _ => vec![
                    ("type", json!("string")),
                    ("format", json!(if text { "email" } else { "url" })),
                    ("max_length", json!(40 + extra)),
                ],
            }
        })
}

fn integer_table() -> impl Strategy<Value = Vec<(&'static str, Value)>> {
    let bounded = (any::<bool>(), -1000..1000i64, 0..1000i64, any::<bool>()).prop_map(
        |(wide, min, span, default)| {
            let mut table = vec![
                ("type", json!(if wide { "i64" } else { "i32" })),
                ("min", json!(min)),
                ("max", json!(min + span)),
            ];
            if default {
                table.push(("default", json!(min + span / 2)));
            }
            table
        },
    );
    // The bounds of the Rust type itself: no invalid value fits the type.
    let extreme = any::<bool>().prop_map(|wide| {
        let (kind, min, max) = if wide {
            ("i64", i64::MIN, i64::MAX)
        } else {
            ("i32", i64::from(i32::MIN), i64::from(i32::MAX))
        };
        vec![
            ("type", json!(kind)),
            ("min", json!(min)),
            ("max", json!(max)),
        ]
    });
    let unbounded =
        any::<bool>().prop_map(|wide| vec![("type", json!(if wide { "i64" } else { "i32" }))]);
    prop_oneof![3 => bounded, 1 => extreme, 1 => unbounded]
}

fn float_table() -> impl Strategy<Value = Vec<(&'static str, Value)>> {
    (any::<bool>(), -100.0..100.0f64, 0.0..50.0f64, any::<bool>()).prop_map(
        |(decimal, min, span, default)| {
            let min = (min * 4.0).round() / 4.0;
            let max = min + (span * 4.0).round() / 4.0;
            let mut table = vec![
                ("type", json!(if decimal { "decimal" } else { "f64" })),
                ("min", json!(min)),
                ("max", json!(max)),
            ];
            if default {
                // A decimal default written as a string keeps its digits.
                let value = if decimal {
                    json!(format!("{min:.2}"))
                } else {
                    json!(max)
                };
                table.push(("default", value));
            }
            table
        },
    )
}

fn enum_table() -> impl Strategy<Value = Vec<(&'static str, Value)>> {
    (
        proptest::sample::subsequence(vec!["pending", "paid", "in-progress", "done", "x"], 1..5),
        any::<prop::sample::Index>(),
        any::<bool>(),
    )
        .prop_map(|(values, default, with_default)| {
            let mut table = vec![("type", json!("enum")), ("values", json!(values))];
            if with_default {
                table.push(("default", json!(values[default.index(values.len())])));
            }
            table
        })
}

fn plain_table() -> impl Strategy<Value = Vec<(&'static str, Value)>> {
    let bool_table = proptest::option::of(any::<bool>()).prop_map(|default| {
        let mut table = vec![("type", json!("bool"))];
        if let Some(default) = default {
            table.push(("default", json!(default)));
        }
        table
    });
    let other = proptest::sample::select(vec!["uuid", "date", "datetime", "json"])
        .prop_map(|kind| vec![("type", json!(kind))]);
    prop_oneof![bool_table, other]
}

/// The keys of a valid field; `targets` are the entities a ref may point at.
fn field_table(targets: Vec<RefTarget>) -> impl Strategy<Value = Vec<(&'static str, Value)>> {
    let reference = proptest::sample::select(targets).prop_map(|target| {
        let mut table = vec![("type", json!("ref"))];
        if let Some(module) = &target.module {
            table.push(("module", json!(module)));
        }
        table.push(("entity", json!(target.entity)));
        if !target.required_allowed {
            table.push(("optional", json!(true)));
        }
        table
    });
    let flags = (any::<bool>(), any::<bool>(), any::<bool>());
    (
        prop_oneof![
            string_table(),
            integer_table(),
            float_table(),
            enum_table(),
            plain_table(),
            reference
        ],
        flags,
    )
        .prop_map(|(mut table, (optional, unique, indexed))| {
            let json = table[0].1 == json!("json");
            if !table.iter().any(|(key, _)| *key == "optional") {
                table.push(("optional", json!(optional)));
            }
            if !json {
                table.push(("unique", json!(unique)));
                table.push(("indexed", json!(indexed)));
            }
            table
        })
}

fn entity_strategy(
    name: &'static str,
    targets: Vec<RefTarget>,
) -> impl Strategy<Value = EntityDefinition> {
    let fields = proptest::sample::subsequence(FIELD_NAMES.to_vec(), 0..6).prop_flat_map(
        move |field_names| {
            field_names
                .into_iter()
                .map(|field| {
                    field_table(targets.clone())
                        .prop_map(move |table| FieldDefinition { name: field, table })
                })
                .collect::<Vec<_>>()
        },
    );
    let events = proptest::option::of(proptest::sample::subsequence(EVENTS.to_vec(), 0..=3));
    (fields, any::<bool>(), events).prop_map(move |(fields, singular_table, events)| {
        EntityDefinition {
            name,
            singular_table,
            events,
            fields,
        }
    })
}

/// The ref targets of the entity at `index` of `modules[current]`: every entity of that module
/// and of the modules before it.
fn ref_targets(
    modules: &[(String, Vec<&'static str>)],
    current: usize,
    index: usize,
) -> Vec<RefTarget> {
    let mut targets = Vec::new();
    for (module_index, (module, entities)) in modules[..=current].iter().enumerate() {
        let same_module = module_index == current;
        for (entity_index, entity) in entities.iter().enumerate() {
            targets.push(RefTarget {
                module: (!same_module).then(|| module.clone()),
                entity,
                required_allowed: !same_module || entity_index < index,
            });
        }
    }
    targets
}

/// One schema per name of `modules`, each with 1 to 4 entities (fewer when there are many
/// modules), entity names unique across all of them. At most `ENTITY_NAMES.len()` modules.
pub fn schemas_strategy(modules: Vec<String>) -> impl Strategy<Value = Vec<SchemaDefinition>> {
    assert!(
        (1..=ENTITY_NAMES.len()).contains(&modules.len()),
        "between 1 and {} modules",
        ENTITY_NAMES.len()
    );
    let per_module = (ENTITY_NAMES.len() / modules.len()).min(4);
    let counts = proptest::collection::vec(1..=per_module, modules.len());
    (Just(ENTITY_NAMES.to_vec()).prop_shuffle(), counts).prop_flat_map(move |(names, counts)| {
        let mut remaining = names.into_iter();
        let layout: Vec<(String, Vec<&'static str>)> = modules
            .iter()
            .zip(counts)
            .map(|(module, count)| (module.clone(), remaining.by_ref().take(count).collect()))
            .collect();
        layout
            .iter()
            .enumerate()
            .map(|(current, (module, entities))| {
                let module = module.clone();
                entities
                    .iter()
                    .enumerate()
                    .map(|(index, entity)| {
                        entity_strategy(entity, ref_targets(&layout, current, index))
                    })
                    .collect::<Vec<_>>()
                    .prop_map(move |entities| SchemaDefinition {
                        module: module.clone(),
                        entities,
                    })
            })
            .collect::<Vec<_>>()
    })
}

/// One random schema of module `module`.
pub fn schema_strategy(module: &str) -> impl Strategy<Value = SchemaDefinition> {
    schemas_strategy(vec![module.to_owned()])
        .prop_map(|mut schemas| schemas.pop().expect("one schema"))
}

pub fn to_toml(schema: &SchemaDefinition) -> String {
    let mut text = format!("module = \"{}\"\n", schema.module);
    for entity in &schema.entities {
        text.push_str(&format!("\n[entities.{}]\n", entity.name));
        if entity.singular_table {
            text.push_str(&format!("table = \"{}\"\n", entity.name.to_lowercase()));
        }
        if let Some(events) = &entity.events {
            text.push_str(&format!("events = {}\n", json!(events)));
        }
        text.push_str(&format!("\n[entities.{}.fields]\n", entity.name));
        for field in &entity.fields {
            let pairs: Vec<String> = field
                .table
                .iter()
                .map(|(key, value)| format!("{key} = {}", toml_value(value)))
                .collect();
            text.push_str(&format!("{} = {{ {} }}\n", field.name, pairs.join(", ")));
        }
    }
    text
}

fn toml_value(value: &Value) -> String {
    match value {
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(toml_value).collect::<Vec<_>>().join(", ")
        ),
        // JSON string and number syntax is valid TOML for these values.
        other => other.to_string(),
    }
}

pub fn to_yaml(schema: &SchemaDefinition) -> String {
    let mut text = format!("module: {}\nentities:\n", schema.module);
    for entity in &schema.entities {
        text.push_str(&format!("  {}:\n", entity.name));
        if entity.singular_table {
            text.push_str(&format!("    table: {}\n", entity.name.to_lowercase()));
        }
        if let Some(events) = &entity.events {
            // JSON is YAML flow syntax.
            text.push_str(&format!("    events: {}\n", json!(events)));
        }
        text.push_str("    fields:");
        if entity.fields.is_empty() {
            text.push_str(" {}");
        }
        text.push('\n');
        for field in &entity.fields {
            text.push_str(&format!("      {}:\n", field.name));
            for (key, value) in &field.table {
                text.push_str(&format!("        {key}: {value}\n"));
            }
        }
    }
    text
}
