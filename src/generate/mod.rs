//! Generators: each turns validated options (and later the `ServiceModel`) into rendered
//! files for the renderer to plan and apply.

pub mod alter;
pub mod entity;
pub mod handler;
pub mod migration;
pub mod module;
pub mod openapi;
pub mod operations;
pub mod project;
pub mod scaffold;
