//! The registry of business modules, owned by axiomod: it is rewritten from `axiomod.toml`
//! whenever a module is generated. Add modules with `axiomod generate module <name>`.

use utoipa_axum::router::OpenApiRouter;

use crate::platform::state::AppState;

/// The routes of every module, merged.
pub fn routes(_state: &AppState) -> OpenApiRouter {
    OpenApiRouter::new()
}
