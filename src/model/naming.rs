//! Names and every form generated code needs of them.
//!
//! A [`Name`] carries the name as written plus its case forms (via `heck`), its plural and the
//! form that is safe to emit as a Rust identifier. A [`SqlName`] carries a SQL identifier bare and
//! quoted. Both are computed once here so templates never transform names themselves.
//!
//! Rules:
//! - module and field names are snake_case (`sales`, `customer_email`); entity names are
//!   PascalCase (`Order`, `OrderItem`); anything else is refused with the suggested spelling.
//! - A field that is a Rust keyword (`type`, `match`) is emitted as a raw identifier (`r#type`)
//!   and keeps its name on the wire (`serde(rename = "type")`). `self`, `Self`, `super`, `crate`
//!   and `_` cannot be raw identifiers and are refused. Module names that are Rust keywords are
//!   refused: they name directories and module paths.
//! - An entity that would shadow a Rust prelude type (`Option`, `String`, `Result`...) is refused.
//! - SQL identifiers that are reserved in PostgreSQL, SQLite or MySQL (`order`, `user`,
//!   `group`...) are double-quoted; see [`SqlName::ident`].
//! - The plural (tables, URL paths) applies English rules to the last word; see [`pluralize`].

use heck::{ToKebabCase, ToLowerCamelCase, ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use serde::Serialize;

use super::reserved;

/// The longest identifier PostgreSQL keeps without truncating it (NAMEDATALEN - 1).
pub const MAX_SQL_IDENTIFIER_LENGTH: usize = 63;

/// The prefix of the tables every generated service creates for itself (outbox, dead letters,
/// inbox, relay lease); entity tables may not use it.
pub const PLATFORM_TABLE_PREFIX: &str = "axiomod_";

/// Why a name cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("`{name}` is not a snake_case name")]
    NotSnakeCase { name: String, suggestion: String },
    #[error("`{name}` is not a PascalCase name")]
    NotPascalCase { name: String, suggestion: String },
    #[error("`{name}` cannot be used as a name in generated Rust code")]
    NotAnIdentifier { name: String },
    #[error("`{name}` is a Rust keyword and cannot name a module")]
    KeywordModule { name: String },
    #[error("`{name}` would shadow the Rust prelude type of the same name")]
    PreludeType { name: String },
    #[error("`{name}` is longer than {MAX_SQL_IDENTIFIER_LENGTH} characters")]
    TooLong { name: String },
    #[error(
        "table `{name}` is in the `{PLATFORM_TABLE_PREFIX}` namespace of the service's own tables"
    )]
    PlatformTable { name: String },
}

impl NameError {
    /// What the user can do about it.
    pub fn help(&self) -> String {
        match self {
            NameError::NotSnakeCase { suggestion, .. } if !suggestion.is_empty() => format!(
                "use lowercase words joined by underscores, starting with a letter: `{suggestion}`"
            ),
            NameError::NotSnakeCase { .. } => {
                "use lowercase words joined by underscores, starting with a letter".to_owned()
            }
            NameError::NotPascalCase { suggestion, .. } if !suggestion.is_empty() => {
                format!("use capitalised words without separators: `{suggestion}`")
            }
            NameError::NotPascalCase { .. } => {
                "use capitalised words without separators, starting with a letter".to_owned()
            }
            NameError::NotAnIdentifier { .. } => {
                "`self`, `Self`, `super`, `crate` and `_` cannot be raw identifiers either; rename it"
                    .to_owned()
            }
            NameError::KeywordModule { name } => {
                format!("module names become directories and Rust paths; try `{name}s` or another word")
            }
            NameError::PreludeType { name } => {
                format!("choose a more specific name, for example `{name}Record`")
            }
            NameError::TooLong { .. } => {
                format!("PostgreSQL truncates identifiers longer than {MAX_SQL_IDENTIFIER_LENGTH} characters; shorten it")
            }
            NameError::PlatformTable { .. } => {
                format!("the outbox, dead letters, inbox and relay lease live in `{PLATFORM_TABLE_PREFIX}*` tables; set `table` to a name without that prefix")
            }
        }
    }
}

/// A name with every form generated code needs.
///
/// Serialized fields: `original`, `snake`, `pascal`, `camel`, `kebab`, `screaming_snake`,
/// `plural_snake`, `plural_kebab`, `plural_pascal`, `rust_ident`, `raw_identifier`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Name {
    /// As written in the schema.
    pub original: String,
    /// `order_item`
    pub snake: String,
    /// `OrderItem`
    pub pascal: String,
    /// `orderItem`
    pub camel: String,
    /// `order-item`
    pub kebab: String,
    /// `ORDER_ITEM`
    pub screaming_snake: String,
    /// `order_items`: default table name.
    pub plural_snake: String,
    /// `order-items`: URL path segment.
    pub plural_kebab: String,
    /// `OrderItems`
    pub plural_pascal: String,
    /// The snake form as a Rust identifier: `r#type` for a keyword, else the snake form.
    pub rust_ident: String,
    /// Whether `rust_ident` is a raw identifier; such fields need `serde(rename = snake)`.
    pub raw_identifier: bool,
}

impl Name {
    /// A module name: snake_case and not a Rust keyword.
    pub fn module(name: &str) -> Result<Name, NameError> {
        check_snake_case(name)?;
        if reserved::is_rust_keyword(name) || reserved::is_unrawable(name) {
            return Err(NameError::KeywordModule {
                name: name.to_owned(),
            });
        }
        Name::from_valid(name)
    }

    /// An entity name: PascalCase, not `Self`, not a Rust prelude type.
    pub fn entity(name: &str) -> Result<Name, NameError> {
        check_pascal_case(name)?;
        if reserved::is_prelude_type(name) {
            return Err(NameError::PreludeType {
                name: name.to_owned(),
            });
        }
        Name::from_valid(name)
    }

    /// A field name: snake_case; a Rust keyword becomes a raw identifier.
    pub fn field(name: &str) -> Result<Name, NameError> {
        check_snake_case(name)?;
        Name::from_valid(name)
    }

    /// A generated type name made of PascalCase parts (an enum type `OrderStatus`).
    pub fn type_name(name: &str) -> Result<Name, NameError> {
        check_pascal_case(name)?;
        Name::from_valid(name)
    }

    fn from_valid(original: &str) -> Result<Name, NameError> {
        let snake = original.to_snake_case();
        let pascal = original.to_upper_camel_case();
        if reserved::is_unrawable(&snake) || reserved::is_unrawable(&pascal) {
            return Err(NameError::NotAnIdentifier {
                name: original.to_owned(),
            });
        }
        let raw_identifier = reserved::is_rust_keyword(&snake);
        let rust_ident = if raw_identifier {
            format!("r#{snake}")
        } else {
            snake.clone()
        };
        let plural_snake = pluralize(&snake);
        Ok(Name {
            original: original.to_owned(),
            camel: original.to_lower_camel_case(),
            kebab: original.to_kebab_case(),
            screaming_snake: original.to_shouty_snake_case(),
            plural_kebab: plural_snake.to_kebab_case(),
            plural_pascal: plural_snake.to_upper_camel_case(),
            plural_snake,
            pascal,
            snake,
            rust_ident,
            raw_identifier,
        })
    }
}

fn check_snake_case(name: &str) -> Result<(), NameError> {
    let starts_with_letter = name.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    let allowed = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if starts_with_letter && allowed && name.to_snake_case() == name {
        return Ok(());
    }
    if name == "_" {
        return Err(NameError::NotAnIdentifier {
            name: name.to_owned(),
        });
    }
    Err(NameError::NotSnakeCase {
        name: name.to_owned(),
        suggestion: suggestion(name.to_snake_case()),
    })
}

fn check_pascal_case(name: &str) -> Result<(), NameError> {
    let starts_with_letter = name.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    let allowed = name.chars().all(|c| c.is_ascii_alphanumeric());
    if starts_with_letter && allowed && name.to_upper_camel_case() == name {
        return Ok(());
    }
    Err(NameError::NotPascalCase {
        name: name.to_owned(),
        suggestion: suggestion(name.to_upper_camel_case()),
    })
}

/// A converted spelling is only worth suggesting when it is itself valid.
/// `text` in snake_case, reading the plural of an acronym as one word: `APIs` → `apis`,
/// `userIDs` → `user_ids` (heck alone splits them: `ap_is`, `user_i_ds`). For names written
/// elsewhere, such as an OpenAPI spec's tags, properties and operation ids.
pub fn snake_case(text: &str) -> String {
    fold_acronym_plurals(text).to_snake_case()
}

/// `text` in PascalCase, reading the plural of an acronym as one word: `APIs` → `Apis`.
pub fn pascal_case(text: &str) -> String {
    fold_acronym_plurals(text).to_upper_camel_case()
}

/// Capitalises the `s` that ends a run of two or more capitals (`APIs` → `APIS`), so that
/// heck keeps it in the acronym's word instead of starting a new word with its last capital.
fn fold_acronym_plurals(text: &str) -> String {
    let characters: Vec<char> = text.chars().collect();
    let mut folded = String::with_capacity(text.len());
    for (index, &character) in characters.iter().enumerate() {
        let ends_acronym = character == 's'
            && index >= 2
            && characters[index - 2..index]
                .iter()
                .all(char::is_ascii_uppercase)
            && characters
                .get(index + 1)
                .is_none_or(|next| !next.is_ascii_lowercase());
        folded.push(if ends_acronym { 'S' } else { character });
    }
    folded
}

fn suggestion(converted: String) -> String {
    let valid = converted
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && converted
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid { converted } else { String::new() }
}

/// A SQL identifier (table or column), bare and quoted.
///
/// Serialized fields: `name` (bare), `quoted` (always double-quoted), `ident` (quoted only when
/// reserved: use this one in SQL), `reserved`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SqlName {
    /// `order`
    pub name: String,
    /// `"order"`
    pub quoted: String,
    /// `"order"` for a reserved word, `customer` otherwise.
    pub ident: String,
    /// Whether the name is reserved in PostgreSQL, SQLite or MySQL.
    pub reserved: bool,
}

impl SqlName {
    /// An entity's table: a SQL identifier outside the platform's table namespace (the first
    /// migration of every service creates `axiomod_outbox` and its siblings).
    pub fn table(name: &str) -> Result<SqlName, NameError> {
        if name.starts_with(PLATFORM_TABLE_PREFIX) {
            return Err(NameError::PlatformTable {
                name: name.to_owned(),
            });
        }
        SqlName::new(name)
    }

    /// A lowercase snake_case SQL identifier of at most 63 characters.
    pub fn new(name: &str) -> Result<SqlName, NameError> {
        check_snake_case(name)?;
        if name.len() > MAX_SQL_IDENTIFIER_LENGTH {
            return Err(NameError::TooLong {
                name: name.to_owned(),
            });
        }
        let reserved = reserved::is_sql_reserved(name);
        let quoted = format!("\"{name}\"");
        Ok(SqlName {
            name: name.to_owned(),
            ident: if reserved {
                quoted.clone()
            } else {
                name.to_owned()
            },
            quoted,
            reserved,
        })
    }
}

/// Irregular English plurals, by singular.
const IRREGULAR_PLURALS: &[(&str, &str)] = &[
    ("analysis", "analyses"),
    ("calf", "calves"),
    ("child", "children"),
    ("crisis", "crises"),
    ("echo", "echoes"),
    ("foot", "feet"),
    ("goose", "geese"),
    ("half", "halves"),
    ("hero", "heroes"),
    ("knife", "knives"),
    ("leaf", "leaves"),
    ("life", "lives"),
    ("loaf", "loaves"),
    ("man", "men"),
    ("mouse", "mice"),
    ("ox", "oxen"),
    ("person", "people"),
    ("potato", "potatoes"),
    ("shelf", "shelves"),
    ("thief", "thieves"),
    ("tomato", "tomatoes"),
    ("tooth", "teeth"),
    ("wife", "wives"),
    ("wolf", "wolves"),
    ("woman", "women"),
];

/// Words whose plural is the word itself.
const UNCOUNTABLE: &[&str] = &[
    "data",
    "deer",
    "equipment",
    "feedback",
    "fish",
    "hardware",
    "information",
    "metadata",
    "money",
    "news",
    "series",
    "sheep",
    "software",
    "species",
    "staff",
];

/// The plural of a snake_case name; only the last word changes (`order_item` → `order_items`).
///
/// Rules, first match wins: irregular words (`person` → `people`, `child` → `children`);
/// uncountable words stay (`news`, `metadata`); consonant + `y` → `ies` (`category` →
/// `categories`); `s`, `x`, `z`, `ch`, `sh` → `+es` (`address` → `addresses`, `box` → `boxes`);
/// `is` → `es` (`basis` → `bases`); otherwise `+s` (`order` → `orders`, `day` → `days`).
pub fn pluralize(snake: &str) -> String {
    let (head, word) = match snake.rfind('_') {
        Some(index) => snake.split_at(index + 1),
        None => ("", snake),
    };
    let plural = if let Some((_, plural)) = IRREGULAR_PLURALS.iter().find(|(one, _)| *one == word) {
        (*plural).to_owned()
    } else if UNCOUNTABLE.contains(&word) {
        word.to_owned()
    } else if let Some(stem) = word.strip_suffix('y')
        && !stem.is_empty()
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        format!("{stem}ies")
    } else if word.ends_with(['s', 'x', 'z']) && !word.ends_with("is")
        || word.ends_with("ch")
        || word.ends_with("sh")
    {
        format!("{word}es")
    } else if let Some(stem) = word.strip_suffix("is") {
        format!("{stem}es")
    } else {
        format!("{word}s")
    };
    format!("{head}{plural}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acronym_plurals_are_one_word() {
        assert_eq!(snake_case("APIs"), "apis");
        assert_eq!(snake_case("numAPIs"), "num_apis");
        assert_eq!(snake_case("userIDs"), "user_ids");
        assert_eq!(snake_case("IDsByName"), "ids_by_name");
        assert_eq!(snake_case("HTTPServer"), "http_server");
        assert_eq!(snake_case("Status"), "status");
        assert_eq!(snake_case("ABs_list"), "abs_list");
        assert_eq!(pascal_case("APIs"), "Apis");
        assert_eq!(pascal_case("petId"), "PetId");
    }

    #[test]
    fn case_forms_of_an_entity() {
        let name = Name::entity("OrderItem").unwrap();
        assert_eq!(name.snake, "order_item");
        assert_eq!(name.pascal, "OrderItem");
        assert_eq!(name.camel, "orderItem");
        assert_eq!(name.kebab, "order-item");
        assert_eq!(name.screaming_snake, "ORDER_ITEM");
        assert_eq!(name.plural_snake, "order_items");
        assert_eq!(name.plural_kebab, "order-items");
        assert_eq!(name.plural_pascal, "OrderItems");
        assert_eq!(name.rust_ident, "order_item");
        assert!(!name.raw_identifier);
    }

    #[test]
    fn plurals() {
        let cases = [
            ("order", "orders"),
            ("category", "categories"),
            ("person", "people"),
            ("day", "days"),
            ("key", "keys"),
            ("address", "addresses"),
            ("status", "statuses"),
            ("box", "boxes"),
            ("match", "matches"),
            ("wish", "wishes"),
            ("basis", "bases"),
            ("child", "children"),
            ("news", "news"),
            ("order_item", "order_items"),
            ("product_category", "product_categories"),
            ("sales_person", "sales_people"),
            ("photo", "photos"),
            ("user", "users"),
        ];
        for (singular, plural) in cases {
            assert_eq!(pluralize(singular), plural, "{singular}");
        }
    }

    #[test]
    fn keyword_field_becomes_raw_identifier() {
        let name = Name::field("type").unwrap();
        assert_eq!(name.rust_ident, "r#type");
        assert!(name.raw_identifier);
        assert_eq!(name.snake, "type");
        assert_eq!(Name::field("match").unwrap().rust_ident, "r#match");
        assert_eq!(Name::field("kind").unwrap().rust_ident, "kind");
    }

    #[test]
    fn names_that_cannot_be_raw_identifiers_are_refused() {
        for word in ["self", "super", "crate", "_"] {
            assert!(
                matches!(Name::field(word), Err(NameError::NotAnIdentifier { .. })),
                "{word}: {:?}",
                Name::field(word)
            );
        }
        assert!(matches!(
            Name::entity("Self"),
            Err(NameError::NotAnIdentifier { .. })
        ));
        assert!(matches!(
            Name::entity("Crate"),
            Err(NameError::NotAnIdentifier { .. })
        ));
    }

    #[test]
    fn entity_user_and_keyword_entities_work() {
        let user = Name::entity("User").unwrap();
        assert_eq!(user.plural_snake, "users");
        let kind = Name::entity("Type").unwrap();
        assert_eq!(kind.rust_ident, "r#type");
        assert_eq!(kind.plural_snake, "types");
    }

    #[test]
    fn case_violations_come_with_a_suggestion() {
        assert_eq!(
            Name::field("customerEmail"),
            Err(NameError::NotSnakeCase {
                name: "customerEmail".into(),
                suggestion: "customer_email".into()
            })
        );
        assert_eq!(
            Name::entity("order_item"),
            Err(NameError::NotPascalCase {
                name: "order_item".into(),
                suggestion: "OrderItem".into()
            })
        );
        assert!(
            matches!(Name::entity("HTTPServer"), Err(NameError::NotPascalCase { suggestion, .. }) if suggestion == "HttpServer")
        );
        assert!(Name::field("1st").is_err());
        assert!(Name::field("").is_err());
        assert!(Name::field("a__b").is_err());
        assert!(Name::field("émail").is_err());
    }

    #[test]
    fn modules_and_prelude_types() {
        assert!(matches!(
            Name::module("type"),
            Err(NameError::KeywordModule { .. })
        ));
        assert!(Name::module("sales").is_ok());
        assert!(matches!(
            Name::entity("Option"),
            Err(NameError::PreludeType { .. })
        ));
    }

    #[test]
    fn sql_names_are_quoted_when_reserved() {
        let order = SqlName::new("order").unwrap();
        assert_eq!(order.ident, "\"order\"");
        assert_eq!(order.quoted, "\"order\"");
        assert_eq!(order.name, "order");
        assert!(order.reserved);
        let orders = SqlName::new("orders").unwrap();
        assert_eq!(orders.ident, "orders");
        assert_eq!(orders.quoted, "\"orders\"");
        assert!(!orders.reserved);
        assert!(SqlName::new("user").unwrap().reserved);
        assert!(SqlName::new("group").unwrap().reserved);
        assert!(matches!(
            SqlName::new(&"a".repeat(64)),
            Err(NameError::TooLong { .. })
        ));
        assert!(SqlName::new("Orders").is_err());
        assert!(matches!(
            SqlName::table("axiomod_outbox"),
            Err(NameError::PlatformTable { .. })
        ));
        assert!(SqlName::table("outbox").is_ok());
        assert!(SqlName::new("drop table").is_err());
    }
}
