//! The operations of an OpenAPI spec that are not resources, in the module the scaffold
//! writes: DTOs and the service trait (application), handlers and credential extractors
//! (api), and the service implementation, created once for the user to fill in.

use std::path::Path;

use serde::Serialize;

use super::scaffold::Project;
use crate::model::Name;
use crate::openapi::Operations;
use crate::render::{self, RenderError, RenderedFile};

/// Which operation files the module's `mod.rs` files declare.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct OperationFiles {
    pub present: bool,
    /// `application/operation_dtos.rs`, with the operations' request and response types.
    pub dtos: bool,
    /// `api/security.rs`, with the credential extractors.
    pub security: bool,
}

impl OperationFiles {
    /// The files of `operations`, or, without a spec, those the module already has (a
    /// scaffold from the module's entity schema keeps serving them).
    pub fn of(project: &Project, module: &str, operations: Option<&Operations>) -> Self {
        match operations {
            Some(operations) => Self {
                present: true,
                dtos: !operations.dtos.is_empty(),
                security: !operations.schemes.is_empty(),
            },
            None => {
                let folder = Path::new("src/modules").join(module);
                let exists = |file: &str| project.root.join(&folder).join(file).is_file();
                Self {
                    present: exists("application/operations.rs"),
                    dtos: exists("application/operation_dtos.rs"),
                    security: exists("api/security.rs"),
                }
            }
        }
    }
}

/// Renders the operation files of `module` (unformatted).
pub fn render_operations(
    module: &Name,
    operations: &Operations,
) -> Result<Vec<RenderedFile>, RenderError> {
    let mut context = tera::Context::new();
    context.insert("module", module);
    context.insert("ops", operations);
    render::render_generator("operations", &context, &[("__module__", &module.snake)])
}
