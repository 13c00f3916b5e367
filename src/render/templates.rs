//! Embedded tera templates. Each generator is a folder under `templates/` that mirrors the
//! tree it generates: a file ending in `.tera` is rendered (the suffix is dropped), any other
//! file is copied as is. In paths, `__name__` stands for the project name and `__version__`
//! for the migration version; a file ending in `.once` (before `.tera`) is created once for
//! the user to edit and never overwritten. A `.tera` template that renders to nothing but
//! whitespace is not written at all: that is how a file exists only for some options (e.g.
//! `src/platform/broker.rs` only with a broker).

use std::path::PathBuf;

use include_dir::{Dir, DirEntry, include_dir};
use miette::Diagnostic;
use thiserror::Error;

use super::format::format_rust;

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Who owns a generated file after it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    /// axiomod rewrites it as long as nobody edited it.
    Generated,
    /// Written once for the user to fill in; never touched again.
    UserOwned,
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

/// Path substitutions applied to every output path.
pub struct PathVariables<'a> {
    pub name: &'a str,
    pub version: &'a str,
}

/// Renders every template of `generator` with `context`.
pub fn render_generator(
    generator: &str,
    context: &tera::Context,
    variables: &PathVariables<'_>,
) -> Result<Vec<RenderedFile>, RenderError> {
    let folder = TEMPLATES
        .get_dir(generator)
        .ok_or_else(|| RenderError::UnknownGenerator(generator.to_string()))?;
    render_folder(folder, generator, context, variables)
}

/// Renders every file under `folder`, whose paths start with `generator`.
fn render_folder(
    folder: &Dir<'_>,
    generator: &str,
    context: &tera::Context,
    variables: &PathVariables<'_>,
) -> Result<Vec<RenderedFile>, RenderError> {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(Vec::new());
    let mut files = Vec::new();
    collect_files(folder, &mut files);
    let mut rendered = Vec::with_capacity(files.len());
    for file in files {
        let template_path = file.path().to_string_lossy().into_owned();
        let relative = file
            .path()
            .strip_prefix(generator)
            .expect("every template lies inside its generator's folder");
        let mut output_path = relative
            .to_string_lossy()
            .replace("__name__", variables.name)
            .replace("__version__", variables.version);
        let source = String::from_utf8_lossy(file.contents()).into_owned();
        let contents = match output_path.strip_suffix(".tera") {
            Some(stripped) => {
                output_path = stripped.to_string();
                let contents =
                    tera.render_str(&source, context)
                        .map_err(|error| RenderError::Template {
                            template: template_path.clone(),
                            message: error_chain(&error),
                        })?;
                if contents.trim().is_empty() {
                    continue;
                }
                contents
            }
            None => source,
        };
        let ownership = match output_path.strip_suffix(".once") {
            Some(stripped) => {
                output_path = stripped.to_string();
                Ownership::UserOwned
            }
            None => Ownership::Generated,
        };
        let contents = if output_path.ends_with(".rs") {
            format_rust(&contents)
        } else {
            contents
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

    const VARIABLES: PathVariables<'static> = PathVariables {
        name: "shop",
        version: "20260101000000",
    };

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
        render_folder(&DEMO, "demo", &context, &VARIABLES)
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
