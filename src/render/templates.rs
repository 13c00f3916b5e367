//! Embedded tera templates. Each generator is a folder under `templates/` that mirrors the
//! tree it generates: a file ending in `.tera` is rendered (the suffix is dropped), any other
//! file is copied as is. In paths, placeholders such as `__name__` are replaced by the
//! generator's path variables; a file ending in `.once` (before `.tera`) is created once for
//! the user to edit and never overwritten. A `.tera` file whose name starts with one `_` holds
//! macros for other templates (`{% import "scaffold/_macros.tera" as m %}`) and is not output.
//! A `.tera` template that renders to nothing but whitespace is not written at all: that is
//! how a file exists only for some options (e.g. `src/platform/broker.rs` only with a broker).

use std::path::PathBuf;
use std::sync::OnceLock;

use include_dir::{Dir, DirEntry, include_dir};
use miette::Diagnostic;
use thiserror::Error;

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Who owns a generated file after it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    /// axiomod rewrites it as long as nobody edited it.
    Generated,
    /// Written once for the user to fill in; never touched again.
    UserOwned,
    /// A file axiomod edits in part (a dependency, a list entry), keeping everything else the
    /// user wrote: always updated, never a conflict.
    Merged,
}

/// One file of a generator's output, not yet written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    /// Path relative to the project root.
    pub path: PathBuf,
    pub contents: String,
    pub ownership: Ownership,
}

#[derive(Debug, Error, Diagnostic)]
pub enum RenderError {
    #[error("axiomod has no `{0}` templates")]
    #[diagnostic(code(axiomod::render::unknown_generator))]
    UnknownGenerator(String),
    #[error("template {template} failed to render: {message}")]
    #[diagnostic(
        code(axiomod::render::template),
        help("this is a bug in axiomod's templates; please report it with the input you used")
    )]
    Template { template: String, message: String },
}

/// Path substitutions applied to every output path: (placeholder, value), e.g.
/// `("__name__", "shop")`.
pub type PathVariables<'a> = [(&'a str, &'a str)];

/// Every `.tera` template, parsed once and named by its path under `templates/`.
fn engine() -> Result<&'static tera::Tera, RenderError> {
    static ENGINE: OnceLock<Result<tera::Tera, String>> = OnceLock::new();
    let engine = ENGINE.get_or_init(|| build_engine(&TEMPLATES));
    engine.as_ref().map_err(|message| RenderError::Template {
        template: "templates/".to_string(),
        message: message.clone(),
    })
}

/// A tera engine holding every `.tera` file under `root`, named by its path.
fn build_engine(root: &Dir<'_>) -> Result<tera::Tera, String> {
    let mut files = Vec::new();
    collect_files(root, &mut files);
    let mut tera = tera::Tera::default();
    tera.autoescape_on(Vec::new());
    tera.register_filter("rust_str", rust_string_content);
    tera.register_filter("rust_literal", rust_string_literal);
    let sources: Vec<(String, String)> = files
        .into_iter()
        .filter(|file| {
            file.path()
                .extension()
                .is_some_and(|extension| extension == "tera")
        })
        .map(|file| {
            (
                template_name(file),
                String::from_utf8_lossy(file.contents()).into_owned(),
            )
        })
        .collect();
    tera.add_raw_templates(sources)
        .map(|()| tera)
        .map_err(|error| error_chain(&error))
}

/// The `rust_str` filter: text escaped to sit inside a Rust string literal (`"` and `\\`),
/// e.g. a quoted SQL identifier in a query string.
fn rust_string_content(
    value: &tera::Value,
    _arguments: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let text = tera::try_get_value!("rust_str", "value", String, value);
    Ok(tera::Value::String(
        text.replace('\\', "\\\\").replace('"', "\\\""),
    ))
}

/// The `rust_literal` filter: text as a whole Rust string literal, quotes included, any
/// character escaped (text from a user's spec: `rename = {{ name | rust_literal }}`).
fn rust_string_literal(
    value: &tera::Value,
    _arguments: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let text = tera::try_get_value!("rust_literal", "value", String, value);
    Ok(tera::Value::String(format!("{text:?}")))
}

fn template_name(file: &include_dir::File<'_>) -> String {
    file.path().to_string_lossy().replace('\\', "/")
}

/// Renders every template of `generator` with `context`. Rust files come out as the
/// templates wrote them: a caller formats all the files it renders with one
/// [`format_rust_files`](super::format_rust_files) call, which starts far fewer rustfmt
/// processes than one call per generator would.
pub fn render_generator(
    generator: &str,
    context: &tera::Context,
    variables: &PathVariables<'_>,
) -> Result<Vec<RenderedFile>, RenderError> {
    let folder = TEMPLATES
        .get_dir(generator)
        .ok_or_else(|| RenderError::UnknownGenerator(generator.to_string()))?;
    render_folder(engine()?, folder, generator, context, variables)
}

/// Renders every file under `folder`, whose paths start with `generator`.
fn render_folder(
    tera: &tera::Tera,
    folder: &Dir<'_>,
    generator: &str,
    context: &tera::Context,
    variables: &PathVariables<'_>,
) -> Result<Vec<RenderedFile>, RenderError> {
    let mut files = Vec::new();
    collect_files(folder, &mut files);
    let mut rendered = Vec::with_capacity(files.len());
    for file in files {
        let template_path = template_name(file);
        let relative = file
            .path()
            .strip_prefix(generator)
            .expect("every template lies inside its generator's folder");
        let is_macro_file = relative
            .file_name()
            .map(|name| name.to_string_lossy())
            .is_some_and(|name| name.starts_with('_') && !name.starts_with("__"))
            && template_path.ends_with(".tera");
        if is_macro_file {
            continue;
        }
        let mut output_path = relative.to_string_lossy().into_owned();
        for (placeholder, value) in variables {
            output_path = output_path.replace(placeholder, value);
        }
        let contents = match output_path.strip_suffix(".tera") {
            Some(stripped) => {
                output_path = stripped.to_string();
                let contents = tera.render(&template_path, context).map_err(|error| {
                    RenderError::Template {
                        template: template_path.clone(),
                        message: error_chain(&error),
                    }
                })?;
                if contents.trim().is_empty() {
                    continue;
                }
                contents
            }
            None => String::from_utf8_lossy(file.contents()).into_owned(),
        };
        let ownership = match output_path.strip_suffix(".once") {
            Some(stripped) => {
                output_path = stripped.to_string();
                Ownership::UserOwned
            }
            None => Ownership::Generated,
        };
        rendered.push(RenderedFile {
            path: PathBuf::from(output_path),
            contents,
            ownership,
        });
    }
    rendered.sort_by(|left, right| left.path.cmp(&right.path));
    Ok(rendered)
}

/// Renders the single template `template` (its path under `templates/`) to `output`, as it
/// comes out: like [`render_generator`], a caller formats it.
pub fn render_template(
    template: &str,
    output: &str,
    context: &tera::Context,
) -> Result<RenderedFile, RenderError> {
    let contents = engine()?
        .render(template, context)
        .map_err(|error| RenderError::Template {
            template: template.to_string(),
            message: error_chain(&error),
        })?;
    Ok(RenderedFile {
        path: PathBuf::from(output),
        contents,
        ownership: Ownership::Generated,
    })
}

fn collect_files<'a>(folder: &'a Dir<'a>, files: &mut Vec<&'a include_dir::File<'a>>) {
    for entry in folder.entries() {
        match entry {
            DirEntry::Dir(child) => collect_files(child, files),
            DirEntry::File(file) => files.push(file),
        }
    }
}

/// tera hides the useful part of an error in its source chain.
fn error_chain(error: &tera::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use include_dir::File;

    use super::*;

    const VARIABLES: &PathVariables<'static> =
        &[("__name__", "shop"), ("__version__", "20260101000000")];

    static ENTRIES: [DirEntry<'static>; 3] = [
        DirEntry::File(File::new(
            "demo/optional.rs.tera",
            b"{% if wanted %}pub fn optional() {}{% endif %}\n\n",
        )),
        DirEntry::File(File::new("demo/empty.txt", b"")),
        DirEntry::File(File::new(
            "demo/__name__.toml.tera",
            b"name = \"{{ name }}\"\n",
        )),
    ];
    static DEMO: Dir<'static> = Dir::new("demo", &ENTRIES);

    fn paths(wanted: bool) -> Vec<String> {
        let mut context = tera::Context::new();
        context.insert("wanted", &wanted);
        context.insert("name", "shop");
        let tera = build_engine(&DEMO).expect("the demo templates parse");
        render_folder(&tera, &DEMO, "demo", &context, VARIABLES)
            .expect("the demo templates render")
            .into_iter()
            .map(|file| file.path.display().to_string())
            .collect()
    }

    #[test]
    fn a_template_rendering_to_whitespace_is_not_written() {
        assert_eq!(paths(false), ["empty.txt", "shop.toml"]);
    }

    #[test]
    fn a_template_with_content_is_written_and_an_empty_plain_file_is_copied() {
        assert_eq!(paths(true), ["empty.txt", "optional.rs", "shop.toml"]);
    }
}
