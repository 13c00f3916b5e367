//! The fuzzing entry point of the OpenAPI front-end: what `generate scaffold --openapi` does
//! with a spec up to the model it renders, on arbitrary bytes and without a project. The
//! cargo-fuzz target (fuzz/fuzz_targets/openapi.rs) and the corpus regression test
//! (tests/openapi_fuzz_corpus.rs) both call [`openapi`]; docs/fuzzing.md says how to run it.

use std::path::Path;

use crate::model::ServiceModel;
use crate::openapi;

/// Where the input pretends to live. Its folder is a device, never a directory, so a relative
/// `$ref` (`pet.yaml`, `../../etc/passwd`) is a missing file without reading anything.
const ROOTS: [&str; 2] = ["/dev/null/fuzz.yaml", "/dev/null/fuzz.json"];

/// Translates `data` read once as YAML and once as JSON, feeds each entity schema through the
/// schema front-end and the scaffold's own checks, and gives per reading the model or the
/// rendered error message. Any panic (or stack overflow) on the way is a bug.
pub fn openapi(data: &[u8]) -> Vec<Result<Option<ServiceModel>, String>> {
    let Ok(source) = std::str::from_utf8(data) else {
        return Vec::new();
    };
    ROOTS
        .iter()
        .map(|root| model(source, Path::new(root)))
        .collect()
}

fn model(source: &str, root: &Path) -> Result<Option<ServiceModel>, String> {
    let translation =
        openapi::translate_source(source, root, None).map_err(|error| render(&error))?;
    let origin = openapi::schema_origin(root);
    let mut modules = Vec::new();
    for schema in translation
        .modules
        .iter()
        .filter_map(|module| module.schema.as_deref())
    {
        let module = crate::schema::load_str(schema, &origin, &[])
            .map_err(|report| render(report.as_ref()))?;
        modules.push(module);
    }
    Ok((!modules.is_empty()).then_some(ServiceModel { modules }))
}

/// The message as the terminal shows it, source snippets and labels included.
fn render(error: &dyn miette::Diagnostic) -> String {
    let mut rendered = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .render_report(&mut rendered, error)
        .expect("a report renders: its labels point into its own source");
    rendered
}
