//! Errors of the OpenAPI front-end: each names the file and where in it (`file:line:col` for
//! syntax; `file:line:col#pointer` for everything found after parsing, the JSON pointer alone
//! when the position cannot be found) and says what to do.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// A spec that cannot be read or turned into a module. Always exit 2, nothing written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum OpenApiError {
    #[error("cannot read OpenAPI file {}", path.display())]
    #[diagnostic(
        code(axiomod::openapi::read),
        help("check the path and its permissions")
    )]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{location}: invalid {format}: {message}")]
    #[diagnostic(
        code(axiomod::openapi::syntax),
        help("fix the syntax at that line and column")
    )]
    Syntax {
        /// `file:line:col`.
        location: String,
        format: &'static str,
        message: String,
    },
    #[error("{file}: Swagger 2.0 is not supported")]
    #[diagnostic(
        code(axiomod::openapi::swagger2),
        help(
            "convert the spec to OpenAPI 3 first, for example with swagger2openapi (`swagger2openapi {file} -o spec3.yaml`), then run the command on the result"
        )
    )]
    Swagger2 { file: String },
    #[error("{file}: unsupported OpenAPI version `{version}`")]
    #[diagnostic(
        code(axiomod::openapi::version),
        help("axiomod reads OpenAPI 3.0.x and 3.1.x specs")
    )]
    UnsupportedVersion { file: String, version: String },
    #[error("{file}: no `openapi` version at the top of the document")]
    #[diagnostic(
        code(axiomod::openapi::no_version),
        help("an OpenAPI 3 document starts with `openapi: 3.0.3` or `openapi: 3.1.0`")
    )]
    MissingVersion { file: String },
    #[error("{file}#{pointer}: not a valid OpenAPI 3 document: {message}")]
    #[diagnostic(
        code(axiomod::openapi::structure),
        help("compare that part of the spec with the OpenAPI specification of its version")
    )]
    Structure {
        file: String,
        pointer: String,
        message: String,
    },
    #[error("{file}#{pointer}: cannot resolve $ref `{reference}`: {reason}")]
    #[diagnostic(
        code(axiomod::openapi::unresolved_ref),
        help(
            "a $ref is `#/json/pointer` inside the same file or `relative/file.yaml#/json/pointer`; check that the file exists and has that path"
        )
    )]
    UnresolvedRef {
        file: String,
        pointer: String,
        reference: String,
        reason: String,
    },
    #[error("{file}#{pointer}: $ref `{reference}` leads back to itself ({chain})")]
    #[diagnostic(
        code(axiomod::openapi::ref_cycle),
        help(
            "a schema cannot be defined only by references to itself; give one schema of the cycle its own type and properties"
        )
    )]
    RefCycle {
        file: String,
        pointer: String,
        reference: String,
        /// The references followed, in order.
        chain: String,
    },
    #[error("{file}#{pointer}: the allOf of this schema contains the schema itself ({chain})")]
    #[diagnostic(
        code(axiomod::openapi::all_of_cycle),
        help("an object cannot include its own properties; remove the allOf part that leads back")
    )]
    AllOfCycle {
        file: String,
        pointer: String,
        /// The schemas merged, in order.
        chain: String,
    },
    #[error(
        "{file}: no paths with operations, so there is nothing `generate scaffold` can generate"
    )]
    #[diagnostic(
        code(axiomod::openapi::nothing_to_generate),
        help(
            "webhooks, callbacks and components alone generate nothing: add the operations the service serves under `paths`; the warnings above list what was skipped and why"
        )
    )]
    NothingToGenerate { file: String },
    #[error("{file}: cannot derive a module name from {source_text} (`{candidate}`)")]
    #[diagnostic(
        code(axiomod::openapi::module_name),
        help(
            "pass the module with `--module <name>` (snake_case; it then holds everything), or rename the tag"
        )
    )]
    ModuleName {
        file: String,
        source_text: String,
        candidate: String,
    },
}

impl OpenApiError {
    /// Adds `:line:col` to the file of an error found at a JSON pointer, read from `source` when
    /// the file is the spec at `root`, else from the file itself (a `$ref`ed one).
    pub(crate) fn with_line_column(mut self, root: &Path, source: &str) -> Self {
        if let Self::Structure { file, pointer, .. }
        | Self::UnresolvedRef { file, pointer, .. }
        | Self::RefCycle { file, pointer, .. }
        | Self::AllOfCycle { file, pointer, .. } = &mut self
        {
            let text = if Path::new(file.as_str()) == root {
                Some(Cow::Borrowed(source))
            } else {
                std::fs::read_to_string(file.as_str()).ok().map(Cow::Owned)
            };
            if let Some((line, column)) =
                text.and_then(|text| super::position::of_pointer(&text, pointer))
            {
                *file = format!("{file}:{line}:{column}");
            }
        }
        self
    }
}
