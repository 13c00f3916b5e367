//! The renderer: templates (embedded in the binary) are rendered from one context into a
//! list of files; a [`Plan`] compares them with what is on disk and the manifest of what
//! axiomod wrote before; [`apply`] writes the plan only when it is safe.

mod apply;
mod format;
mod manifest;
mod plan;
mod templates;

pub use apply::{
    ApplyError, ApplySummary, NewTreeError, apply, check_new_target, plan_new_tree, write_new_tree,
};
pub use format::format_rust_files;
pub use manifest::{MANIFEST_PATH, Manifest};
pub use plan::{Action, Change, Plan, plan};
pub use templates::{
    Ownership, PathVariables, RenderError, RenderedFile, render_generator, render_template,
};
