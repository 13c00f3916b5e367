//! Bad schema files: each problem is reported with its message, the line and column of the
//! offending key or value, and a help line; all problems of a file at once.

use axiomod::model::ExistingEntity;
use axiomod::schema::{self, Format};
use miette::Diagnostic;

/// One reported problem, as a user sees it.
#[derive(Debug)]
struct Problem {
    message: String,
    line: usize,
    column: usize,
    /// The source text under the primary label.
    text: String,
    help: String,
}

fn problems(source: &str, format: Format, existing: &[ExistingEntity]) -> Vec<Problem> {
    let errors = schema::parse_str(source, "sales.schema", format, existing)
        .expect_err("the schema must be rejected");
    errors
        .errors
        .iter()
        .map(|error| {
            let (line, column) = error.line_column();
            Problem {
                message: error.to_string(),
                line,
                column,
                text: source[error.span()].to_owned(),
                help: error
                    .help()
                    .map(|help| help.to_string())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

fn toml_problem(source: &str) -> Problem {
    let mut found = problems(source, Format::Toml, &[]);
    assert_eq!(found.len(), 1, "{found:#?}");
    found.remove(0)
}

fn yaml_problem(source: &str) -> Problem {
    let mut found = problems(source, Format::Yaml, &[]);
    assert_eq!(found.len(), 1, "{found:#?}");
    found.remove(0)
}

/// A TOML schema of one entity `Order` whose fields are `fields` (starting on line 4).
fn order_fields(fields: &str) -> String {
    format!("module = \"sales\"\n\n[entities.Order.fields]\n{fields}")
}

#[test]
fn unknown_type_suggests_the_closest() {
    let problem = toml_problem(&order_fields("total = { type = \"strng\" }\n"));
    assert_eq!(problem.message, "unknown field type `strng`");
    assert_eq!((problem.line, problem.column), (4, 18));
    assert_eq!(problem.text, "\"strng\"");
    assert_eq!(problem.help, "did you mean `string`?");
}

#[test]
fn unknown_type_without_close_match_lists_the_types() {
    let problem = toml_problem(&order_fields("total = { type = \"money\" }\n"));
    assert!(
        problem.help.starts_with("field types: string, text, bool"),
        "{}",
        problem.help
    );
}

#[test]
fn unknown_constraint_suggests_the_closest() {
    let problem = toml_problem(&order_fields(
        "note = { type = \"string\", max_lenght = 3 }\n",
    ));
    assert_eq!(problem.message, "unknown key `max_lenght` in field `note`");
    assert_eq!((problem.line, problem.column), (4, 27));
    assert_eq!(problem.text, "max_lenght");
    assert_eq!(problem.help, "did you mean `max_length`?");
}

#[test]
fn constraint_not_valid_for_the_type() {
    let problem = toml_problem(&order_fields(
        "total = { type = \"i64\", max_length = 3 }\n",
    ));
    assert_eq!(problem.message, "`max_length` does not apply to i64 fields");
    assert_eq!((problem.line, problem.column), (4, 25));
    assert_eq!(problem.text, "max_length");
    assert_eq!(
        problem.help,
        "`max_length` applies to string and text fields; remove it or change the type"
    );

    // Reported once, not again for the value itself.
    let problem = toml_problem(&order_fields(
        "count = { type = \"i64\", pattern = \"[\" }\n",
    ));
    assert_eq!(problem.message, "`pattern` does not apply to i64 fields");

    let problem = toml_problem(&order_fields("data = { type = \"json\", unique = true }\n"));
    assert_eq!(problem.message, "`unique` does not apply to json fields");
    assert_eq!((problem.line, problem.column), (4, 25));
}

#[test]
fn duplicate_field_in_toml_points_at_the_second_definition() {
    let problem = toml_problem(&order_fields(
        "email = { type = \"string\" }\nemail = { type = \"text\" }\n",
    ));
    assert_eq!(
        problem.message,
        "field `email` of entity `Order` is defined twice"
    );
    assert_eq!((problem.line, problem.column), (5, 1));
    assert_eq!(problem.text, "email");
    assert!(
        problem.help.contains("may be defined once"),
        "{}",
        problem.help
    );
}

#[test]
fn duplicate_entity_in_toml_is_reported_once() {
    // The second header repeats `fields` too; that follow-on duplicate is not reported.
    let source =
        "module = \"sales\"\n[entities.Order]\nfields = {}\n[entities.Order]\nfields = {}\n";
    let problem = toml_problem(source);
    assert_eq!(problem.message, "entity `Order` is defined twice");
    assert_eq!((problem.line, problem.column), (4, 11));
    assert_eq!(problem.text, "Order");

    let source = "module = \"sales\"\n[entities.Order.fields]\na = { type = \"i64\" }\n[entities.Order.fields]\nb = { type = \"i64\" }\n";
    let problem = toml_problem(source);
    assert_eq!(
        problem.message,
        "key `fields` of entity `Order` is defined twice"
    );
    assert_eq!((problem.line, problem.column), (4, 17));
}

#[test]
fn duplicate_field_and_entity_in_yaml() {
    let source = "module: sales\nentities:\n  Order:\n    fields:\n      email: {type: string}\n      email: {type: text}\n";
    let problem = yaml_problem(source);
    assert_eq!(
        problem.message,
        "field `email` of entity `Order` is defined twice"
    );
    assert_eq!((problem.line, problem.column), (6, 7));

    let source = "module: sales\nentities:\n  Order:\n    fields: {}\n  Order:\n    fields: {}\n";
    let problem = yaml_problem(source);
    assert_eq!(problem.message, "entity `Order` is defined twice");
    assert_eq!((problem.line, problem.column), (5, 3));
}

#[test]
fn ref_to_an_unknown_entity() {
    let source = "module = \"sales\"\n[entities.Customer.fields]\nname = { type = \"string\" }\n[entities.Order.fields]\ncustomer_id = { type = \"ref\", entity = \"Custmer\" }\n";
    let problem = toml_problem(source);
    assert_eq!(
        problem.message,
        "`ref` to unknown entity `Custmer` in module `sales`"
    );
    assert_eq!((problem.line, problem.column), (5, 40));
    assert_eq!(problem.text, "\"Custmer\"");
    assert_eq!(problem.help, "did you mean `Customer`?");
}

#[test]
fn ref_to_an_entity_of_another_module_needs_the_module() {
    let existing = [ExistingEntity::new("crm", "Customer", "customers").unwrap()];
    let source = order_fields("customer_id = { type = \"ref\", entity = \"Customer\" }\n");
    let found = problems(&source, Format::Toml, &existing);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].help,
        "the entity is in module `crm`: add `module = \"crm\"` to the field"
    );

    let source =
        order_fields("customer_id = { type = \"ref\", module = \"crm\", entity = \"Customer\" }\n");
    let module = schema::parse_str(&source, "sales.toml", Format::Toml, &existing).unwrap();
    assert_eq!(module.entities[0].fields[0].mapping.postgres_type, "UUID");
}

#[test]
fn ref_with_an_invalid_module_reports_only_the_module() {
    let problem = toml_problem(&order_fields(
        "customer_id = { type = \"ref\", module = \"Crm\", entity = \"Customer\" }\n",
    ));
    assert_eq!(
        problem.message,
        "invalid module name: `Crm` is not a snake_case name"
    );
    assert_eq!((problem.line, problem.column), (4, 40));
}

#[test]
fn enum_without_values() {
    let problem = toml_problem(&order_fields("status = { type = \"enum\" }\n"));
    assert_eq!(problem.message, "enum field without values");
    assert_eq!((problem.line, problem.column), (4, 1));
    assert_eq!(problem.help, "add `values = [\"first\", \"second\"]`");

    let problem = toml_problem(&order_fields("status = { type = \"enum\", values = [] }\n"));
    assert_eq!(problem.message, "enum field without values");
    assert_eq!((problem.line, problem.column), (4, 36));
    assert_eq!(problem.text, "[]");
}

#[test]
fn enum_default_not_among_values() {
    let problem = toml_problem(&order_fields(
        "status = { type = \"enum\", values = [\"pending\", \"paid\"], default = \"shipped\" }\n",
    ));
    assert_eq!(
        problem.message,
        "invalid `default`: `shipped` is not one of the enum values (pending, paid)"
    );
    assert_eq!((problem.line, problem.column), (4, 67));
    assert_eq!(problem.text, "\"shipped\"");
}

#[test]
fn enum_values_listed_twice_or_clashing() {
    let problem = toml_problem(&order_fields(
        "status = { type = \"enum\", values = [\"paid\", \"paid\"] }\n",
    ));
    assert_eq!(problem.message, "enum value `paid` is listed twice");
    assert_eq!((problem.line, problem.column), (4, 45));
    let problem = toml_problem(&order_fields(
        "status = { type = \"enum\", values = [\"in-progress\", \"in_progress\"] }\n",
    ));
    assert_eq!(
        problem.message,
        "enum values `in-progress` and `in_progress` both become the Rust variant `InProgress`"
    );
    let problem = toml_problem(&order_fields(
        "status = { type = \"enum\", values = [\"1st\", \"--\"] }\n",
    ));
    assert_eq!(problem.message, "enum value `--` has no usable Rust name");
    assert_eq!((problem.line, problem.column), (4, 44));
    // A leading digit gets a `V`: `1st` and `v1st` would be the same variant.
    let problem = toml_problem(&order_fields(
        "status = { type = \"enum\", values = [\"1st\", \"v1st\"] }\n",
    ));
    assert_eq!(
        problem.message,
        "enum values `1st` and `v1st` both become the Rust variant `V1st`"
    );
}

#[test]
fn decimal_bounds_may_be_text_other_bounds_may_not() {
    let source =
        order_fields("total = { type = \"decimal\", min = \"0.01\", max = \"99999.99\" }\n");
    let module = schema::parse_str(&source, "sales.schema", Format::Toml, &[])
        .expect("decimal bounds written as text are accepted");
    let total = &module.entities[0].fields[0];
    assert_eq!(
        total
            .constraints
            .min
            .as_ref()
            .map(|bound| bound.sql.as_str()),
        Some("0.01")
    );

    let problem = toml_problem(&order_fields(
        "total = { type = \"decimal\", min = \"ten\" }\n",
    ));
    assert_eq!(
        problem.message,
        "invalid `min`: `ten` is not a decimal number"
    );
    let problem = toml_problem(&order_fields("count = { type = \"i64\", max = \"10\" }\n"));
    assert_eq!(
        problem.message,
        "invalid `max`: expected a number (only decimal bounds may be written as text)"
    );
    assert_eq!((problem.line, problem.column), (4, 31));
}

#[test]
fn min_above_max() {
    let problem = toml_problem(&order_fields(
        "total = { type = \"i64\", min = 10, max = 5 }\n",
    ));
    assert_eq!(problem.message, "`min` (10) is greater than `max` (5)");
    assert_eq!((problem.line, problem.column), (4, 41));
    assert_eq!(problem.text, "5");
    assert_eq!(problem.help, "`min` must not exceed `max`");
}

#[test]
fn min_length_above_max_length() {
    let problem = toml_problem(&order_fields(
        "code = { type = \"string\", min_length = 8, max_length = 4 }\n",
    ));
    assert_eq!(
        problem.message,
        "`min_length` (8) is greater than `max_length` (4)"
    );
    assert_eq!((problem.line, problem.column), (4, 56));
}

#[test]
fn bounds_must_fit_the_type() {
    let problem = toml_problem(&order_fields(
        "count = { type = \"i32\", max = 3000000000 }\n",
    ));
    assert_eq!(
        problem.message,
        "invalid `max`: 3000000000 is out of range for i32"
    );
    assert_eq!((problem.line, problem.column), (4, 31));
    let problem = toml_problem(&order_fields("count = { type = \"i64\", min = 0.5 }\n"));
    assert_eq!(problem.message, "invalid `min`: expected an integer");
}

#[test]
fn huge_lengths_stay_cheap() {
    let problem = toml_problem(&order_fields(
        "code = { type = \"string\", min_length = 4000000000 }\n",
    ));
    assert_eq!(problem.message, "`min_length` above 10000 is not supported");
    assert_eq!((problem.line, problem.column), (4, 40));
    let source = order_fields("code = { type = \"text\", max_length = 4000000000 }\n");
    let module = schema::parse_str(&source, "sales.toml", Format::Toml, &[]).unwrap();
    let field = &module.entities[0].fields[0];
    assert!(
        field.examples.invalid_examples.is_empty(),
        "no 4 GB literal"
    );
    let problem = toml_problem(&order_fields(
        "code = { type = \"text\", max_length = -1 }\n",
    ));
    assert_eq!(
        problem.message,
        "`max_length` must be a non-negative integer, found an integer"
    );
}

#[test]
fn invalid_regex() {
    let problem = toml_problem(&order_fields(
        "code = { type = \"string\", pattern = \"^[a-z\" }\n",
    ));
    assert_eq!(
        problem.message,
        "invalid regular expression: unclosed character class"
    );
    assert_eq!((problem.line, problem.column), (4, 37));
    assert_eq!(problem.text, "\"^[a-z\"");
    assert_eq!(problem.help, "patterns use the Rust `regex` syntax");
}

#[test]
fn contradictory_constraints_leave_no_example() {
    let problem = toml_problem(&order_fields(
        "code = { type = \"string\", pattern = \"^[a-z]{10}$\", max_length = 5 }\n",
    ));
    assert!(
        problem
            .message
            .starts_with("no value satisfies all constraints of this field"),
        "{}",
        problem.message
    );
    assert_eq!(problem.text, "\"^[a-z]{10}$\"");
}

#[test]
fn defaults_must_fit_the_field() {
    let problem = toml_problem(&order_fields(
        "code = { type = \"string\", max_length = 2, default = \"abc\" }\n",
    ));
    assert_eq!(
        problem.message,
        "invalid `default`: the default violates `max_length`"
    );
    assert_eq!((problem.line, problem.column), (4, 53));
    let problem = toml_problem(&order_fields(
        "day = { type = \"date\", default = \"2024-01-01\" }\n",
    ));
    assert_eq!(problem.message, "`default` does not apply to date fields");
    let problem = toml_problem(&order_fields(
        "count = { type = \"i64\", min = 1, default = 0 }\n",
    ));
    assert_eq!(
        problem.message,
        "invalid `default`: the default violates `min`"
    );
    let problem = toml_problem(&order_fields(
        "flag = { type = \"bool\", default = \"yes\" }\n",
    ));
    assert_eq!(problem.message, "invalid `default`: expected true or false");
}

#[test]
fn keyword_field_that_cannot_be_a_raw_identifier() {
    let problem = toml_problem(&order_fields("self = { type = \"string\" }\n"));
    assert_eq!(
        problem.message,
        "invalid field name: `self` cannot be used as a name in generated Rust code"
    );
    assert_eq!((problem.line, problem.column), (4, 1));
    assert!(
        problem.help.contains("cannot be raw identifiers"),
        "{}",
        problem.help
    );
}

#[test]
fn keyword_and_reserved_names_that_are_fine() {
    let source = "module = \"sales\"\n[entities.User]\ntable = \"order\"\n[entities.User.fields]\ntype = { type = \"string\" }\ngroup = { type = \"i32\" }\n";
    let module = schema::parse_str(source, "sales.toml", Format::Toml, &[]).unwrap();
    let user = &module.entities[0];
    assert_eq!(user.table.ident, "\"order\"");
    assert_eq!(user.fields[0].name.rust_ident, "r#type");
    assert_eq!(user.fields[1].column.ident, "\"group\"");
}

#[test]
fn invalid_module_entity_and_field_names() {
    let problem = toml_problem("module = \"Sales\"\n[entities.Order.fields]\n");
    assert_eq!(
        problem.message,
        "invalid module name: `Sales` is not a snake_case name"
    );
    assert_eq!((problem.line, problem.column), (1, 10));
    assert!(problem.help.ends_with("`sales`"), "{}", problem.help);

    let problem = toml_problem("module = \"sales\"\n[entities.order_item.fields]\n");
    assert_eq!(
        problem.message,
        "invalid entity name: `order_item` is not a PascalCase name"
    );
    assert_eq!((problem.line, problem.column), (2, 11));
    assert!(problem.help.ends_with("`OrderItem`"), "{}", problem.help);

    let problem = toml_problem(&order_fields("totalCents = { type = \"i64\" }\n"));
    assert_eq!(
        problem.message,
        "invalid field name: `totalCents` is not a snake_case name"
    );
    assert!(problem.help.ends_with("`total_cents`"), "{}", problem.help);

    let problem = toml_problem("module = \"sales\"\n[entities.Self.fields]\n");
    assert_eq!(
        problem.message,
        "invalid entity name: `Self` cannot be used as a name in generated Rust code"
    );
    let problem = toml_problem("module = \"sales\"\n[entities.Option.fields]\n");
    assert_eq!(
        problem.message,
        "invalid entity name: `Option` would shadow the Rust prelude type of the same name"
    );
    let problem = toml_problem("module = \"type\"\n[entities.Order.fields]\n");
    assert_eq!(
        problem.message,
        "invalid module name: `type` is a Rust keyword and cannot name a module"
    );
    let problem =
        toml_problem("module = \"sales\"\n[entities.Order]\ntable = \"Orders\"\nfields = {}\n");
    assert_eq!(
        problem.message,
        "invalid table name: `Orders` is not a snake_case name"
    );
    assert_eq!((problem.line, problem.column), (3, 9));
}

#[test]
fn implicit_fields_cannot_be_redefined() {
    let problem = toml_problem(&order_fields("id = { type = \"uuid\" }\n"));
    assert_eq!(problem.message, "field `id` is implicit in every entity");
    assert_eq!((problem.line, problem.column), (4, 1));
    let problem = toml_problem(&order_fields("version = { type = \"i64\" }\n"));
    assert_eq!(
        problem.message,
        "field `version` is implicit in every entity"
    );
}

#[test]
fn tenant_scoped_true_is_refused_and_false_accepted() {
    let problem =
        toml_problem("module = \"sales\"\n[entities.Order]\ntenant_scoped = true\nfields = {}\n");
    assert_eq!(
        problem.message,
        "`tenant_scoped = true`: multi-tenancy is not available yet"
    );
    assert_eq!((problem.line, problem.column), (3, 17));
    assert!(
        problem.help.contains("remove `tenant_scoped`"),
        "{}",
        problem.help
    );
    let source = "module = \"sales\"\n[entities.Order]\ntenant_scoped = false\nfields = {}\n";
    assert!(schema::parse_str(source, "sales.toml", Format::Toml, &[]).is_ok());
}

#[test]
fn unknown_and_repeated_events() {
    let problem = toml_problem(
        "module = \"sales\"\n[entities.Order]\nevents = [\"created\", \"update\"]\nfields = {}\n",
    );
    assert_eq!(problem.message, "unknown event `update`");
    assert_eq!((problem.line, problem.column), (3, 22));
    assert_eq!(problem.help, "did you mean `updated`?");
    let problem = toml_problem(
        "module = \"sales\"\n[entities.Order]\nevents = [\"created\", \"created\"]\nfields = {}\n",
    );
    assert_eq!(problem.message, "event `created` is listed twice");
}

#[test]
fn missing_and_mistyped_keys() {
    let problem = toml_problem("[entities.Order.fields]\n");
    assert_eq!(problem.message, "missing key `module` in the schema");
    assert_eq!((problem.line, problem.column), (1, 1));
    let problem = toml_problem("module = \"sales\"\nentities = {}\n");
    assert_eq!(problem.message, "no entities in the schema");
    assert_eq!((problem.line, problem.column), (2, 1));
    let problem = toml_problem(&order_fields("total = { min = 1 }\n"));
    assert_eq!(problem.message, "missing key `type` in field `total`");
    let problem = toml_problem(&order_fields(
        "total = { type = \"i64\", optional = \"yes\" }\n",
    ));
    assert_eq!(
        problem.message,
        "`optional` must be true or false, found a string"
    );
    assert_eq!((problem.line, problem.column), (4, 36));
    let problem = toml_problem("module = \"sales\"\n[entities.Order]\n");
    assert_eq!(problem.message, "missing key `fields` in entity `Order`");
    let problem = toml_problem("module = \"sales\"\nentitys = {}\n[entities.Order.fields]\n");
    assert_eq!(problem.message, "unknown key `entitys` in the schema");
    assert_eq!(problem.help, "did you mean `entities`?");
}

#[test]
fn required_references_in_a_cycle_are_refused_at_both_ends() {
    let source = "module = \"sales\"\n[entities.Order.fields]\ninvoice_id = { type = \"ref\", entity = \"Invoice\" }\n[entities.Invoice.fields]\nnote = { type = \"string\" }\norder_id = { type = \"ref\", entity = \"Order\" }\n";
    let problem = toml_problem(source);
    assert_eq!(
        problem.message,
        "required references form a cycle: Order -> Invoice -> Order"
    );
    assert_eq!((problem.line, problem.column), (3, 1));
    assert_eq!(problem.text, "invoice_id");
    assert!(problem.help.contains("optional = true"), "{problem:?}");

    let problem = yaml_problem(
        "module: sales\nentities:\n  Node:\n    fields:\n      parent_id: {type: ref, entity: Node}\n",
    );
    assert_eq!(
        problem.message,
        "required references form a cycle: Node -> Node"
    );
    assert_eq!((problem.line, problem.column), (5, 7));

    // One optional link breaks the cycle.
    let source = source.replace(
        "entity = \"Order\" }",
        "entity = \"Order\", optional = true }",
    );
    assert!(schema::parse_str(&source, "sales.schema", Format::Toml, &[]).is_ok());
}

/// Every entity requires every later one: no cycle, and a search that followed every path
/// (2^39 of them here) would not finish.
#[test]
fn many_required_references_without_a_cycle_are_accepted() {
    let mut source = String::from("module = \"sales\"\n");
    for index in 0..40 {
        source.push_str(&format!("[entities.E{index}.fields]\n"));
        for later in index + 1..40 {
            source.push_str(&format!(
                "e{later}_id = {{ type = \"ref\", entity = \"E{later}\" }}\n"
            ));
        }
    }
    let module = schema::parse_str(&source, "sales.schema", Format::Toml, &[])
        .expect("a schema without a cycle is accepted");
    assert_eq!(module.entities.len(), 40);
}

#[test]
fn fields_named_after_list_parameters_are_refused() {
    let problem = toml_problem(&order_fields(
        "total = { type = \"i64\" }\nsort = { type = \"string\" }\n",
    ));
    assert_eq!(
        problem.message,
        "a field cannot be named `sort`: list requests use it as a parameter"
    );
    assert_eq!((problem.line, problem.column), (5, 1));
    assert_eq!(problem.text, "sort");
    assert!(
        problem.help.contains("limit, cursor and sort"),
        "{problem:?}"
    );
}

#[test]
fn tables_of_the_platform_are_refused() {
    let source = "module = \"sales\"\n[entities.Event]\ntable = \"axiomod_outbox\"\nfields = {}\n";
    let problem = toml_problem(source);
    assert_eq!(
        problem.message,
        "invalid table name: table `axiomod_outbox` is in the `axiomod_` namespace of the service's own tables"
    );
    assert_eq!((problem.line, problem.column), (3, 9));
    assert!(problem.help.contains("without that prefix"), "{problem:?}");

    // The default table (the plural of the entity) is checked too.
    let problem = yaml_problem("module: sales\nentities:\n  AxiomodLease:\n    fields: {}\n");
    assert!(problem.message.contains("`axiomod_leases`"), "{problem:?}");
    assert_eq!((problem.line, problem.column), (3, 3));
}

#[test]
fn two_entities_cannot_share_a_table_or_a_type_name() {
    let source = "module = \"sales\"\n[entities.Order]\nfields = {}\n[entities.Purchase]\ntable = \"orders\"\nfields = {}\n";
    let problem = toml_problem(source);
    assert_eq!(
        problem.message,
        "table `orders` is already used by entity `Order`"
    );
    assert_eq!((problem.line, problem.column), (5, 9));

    let source = "module = \"sales\"\n[entities.OrderStatus.fields]\n[entities.Order.fields]\nstatus = { type = \"enum\", values = [\"paid\"] }\n";
    let problem = toml_problem(source);
    assert_eq!(
        problem.message,
        "type name `OrderStatus` is generated twice in module `sales`"
    );
    assert_eq!((problem.line, problem.column), (4, 1));
    let source = "module = \"sales\"\n[entities.Order.fields]\n[entities.OrderCreated]\nevents = []\nfields = {}\n";
    let problem = toml_problem(source);
    assert_eq!(
        problem.message,
        "type name `OrderCreated` is generated twice in module `sales`"
    );
    assert_eq!((problem.line, problem.column), (2, 11));
}

#[test]
fn syntax_errors_have_a_location() {
    let problem =
        toml_problem("module = \"sales\"\n[entities.Order.fields]\ntotal = { type = \"i64\" \n");
    assert!(
        problem.message.starts_with("invalid TOML: "),
        "{}",
        problem.message
    );
    assert_eq!(problem.line, 3);
    let problem = yaml_problem("module: sales\nentities:\n  Order: [a, b\n");
    assert!(
        problem.message.starts_with("invalid YAML: "),
        "{}",
        problem.message
    );
    assert_eq!(problem.line, 4);
}

#[test]
fn all_problems_of_a_file_are_reported_at_once_in_order() {
    let source = order_fields(
        "a = { type = \"strng\" }\nb = { type = \"i64\", min = 5, max = 1 }\nc = { type = \"enum\" }\nid = { type = \"uuid\" }\n",
    );
    let found = problems(&source, Format::Toml, &[]);
    let summary: Vec<(usize, &str)> = found
        .iter()
        .map(|problem| (problem.line, problem.message.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (4, "unknown field type `strng`"),
            (5, "`min` (5) is greater than `max` (1)"),
            (6, "enum field without values"),
            (7, "field `id` is implicit in every entity"),
        ]
    );
}

#[test]
fn the_rendered_report_names_the_file_line_and_column() {
    let errors = schema::parse_str(
        &order_fields("total = { type = \"strng\" }\n"),
        "sales.toml",
        Format::Toml,
        &[],
    )
    .unwrap_err();
    let mut rendered = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .render_report(&mut rendered, errors.into_report().as_ref())
        .unwrap();
    assert!(rendered.contains("[sales.toml:4:18]"), "{rendered}");
    assert!(
        rendered.contains("unknown field type `strng`"),
        "{rendered}"
    );
    assert!(rendered.contains("did you mean `string`?"), "{rendered}");
    assert!(
        rendered.contains("axiomod::schema::unknown_type"),
        "{rendered}"
    );
}

#[test]
fn several_problems_render_as_related_reports() {
    let source =
        order_fields("a = { type = \"strng\" }\nb = { type = \"i64\", min = 5, max = 1 }\n");
    let errors = schema::parse_str(&source, "sales.toml", Format::Toml, &[]).unwrap_err();
    let mut rendered = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .render_report(&mut rendered, errors.into_report().as_ref())
        .unwrap();
    assert!(
        rendered.contains("sales.toml: 2 problems in the schema"),
        "{rendered}"
    );
    assert!(rendered.contains("[sales.toml:4:14]"), "{rendered}");
    assert!(rendered.contains("[sales.toml:5:36]"), "{rendered}");
    assert!(rendered.contains("minimum here"), "{rendered}");
}

#[test]
fn rendered_report_snapshot() {
    let source = "module = \"sales\"\n\n[entities.Order]\ntenant_scoped = true\n\n[entities.Order.fields]\nstatus = { type = \"enum\", values = [\"pending\", \"paid\"], default = \"shipped\" }\ntotal  = { type = \"decimal\", min = 10, max = 1 }\ncode   = { type = \"i64\", max_length = 3 }\n";
    let errors = schema::parse_str(source, "sales.toml", Format::Toml, &[]).unwrap_err();
    let mut rendered = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .render_report(&mut rendered, errors.into_report().as_ref())
        .unwrap();
    insta::assert_snapshot!("rendered_report", rendered);
}

#[test]
fn yaml_problems_point_at_the_yaml_source() {
    let source = "\
module: sales
entities:
  Customer:
    fields:
      name: {type: string}
  Order:
    tenant_scoped: true
    events: [created, removed]
    fields:
      total: {type: decimal, min: 10, max: 1}
      status: {type: enum, values: []}
      customer_id: {type: ref, entity: Custmer}
      kind: {type: strng}
      code:
        type: string
        pattern: '^[a-z'
";
    let found = problems(source, Format::Yaml, &[]);
    let summary: Vec<(usize, usize, &str, &str)> = found
        .iter()
        .map(|problem| {
            (
                problem.line,
                problem.column,
                problem.text.as_str(),
                problem.message.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                7,
                20,
                "true",
                "`tenant_scoped = true`: multi-tenancy is not available yet"
            ),
            (8, 23, "removed", "unknown event `removed`"),
            (10, 44, "1", "`min` (10) is greater than `max` (1)"),
            (11, 36, "[]", "enum field without values"),
            (
                12,
                40,
                "Custmer",
                "`ref` to unknown entity `Custmer` in module `sales`"
            ),
            (13, 20, "strng", "unknown field type `strng`"),
            (
                16,
                18,
                "'^[a-z'",
                "invalid regular expression: unclosed character class"
            ),
        ]
    );
}
