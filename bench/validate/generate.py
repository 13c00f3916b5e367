#!/usr/bin/env python3
"""Writes a synthetic modular-monolith crate for benchmarking `axiomod validate`.

Usage: generate.py OUTPUT_DIR [--modules N] [--files-per-layer N]

The crate follows the `clean` preset layout (src/modules/<m>/{domain,application,
infrastructure,api}, src/platform) and uses every kind of reference the validator resolves:
nested, renamed and glob imports, self/super/crate paths, re-export chains, paths in types,
expressions, patterns, bounds and impl headers, derives, attributes and macro invocations.
One file in 25 carries a forbidden edge, so the run has violations to report. The defaults
(60 modules, 4 files per layer) give about 100,000 lines.
"""

import argparse
import os

LAYERS = ["domain", "application", "infrastructure", "api"]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text)


def entity_block(module, layer, index, body_functions):
    name = f"{layer.capitalize()}{index}"
    lines = [
        f"/// {name} of module {module}.",
        "#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]",
        f"pub struct {name} {{",
        "    pub id: u64,",
        "    pub label: String,",
        "    pub amounts: Vec<i64>,",
        "}",
        "",
        f"pub enum {name}Kind {{",
        "    First,",
        "    Second(u32),",
        "    Third { value: i64 },",
        "}",
        "",
        f"impl {name} {{",
        "    pub fn new(id: u64, label: &str) -> Self {",
        "        Self { id, label: label.to_string(), amounts: Vec::new() }",
        "    }",
        "",
    ]
    for function in range(body_functions):
        lines += [
            f"    pub fn compute_{function}(&self, kind: &{name}Kind) -> i64 {{",
            "        let base: i64 = self.amounts.iter().sum();",
            "        match kind {",
            f"            {name}Kind::First => base + {function},",
            f"            {name}Kind::Second(count) => base * i64::from(*count),",
            f"            {name}Kind::Third {{ value }} => std::cmp::max(base, *value),",
            "        }",
            "    }",
            "",
        ]
    lines += ["}", ""]
    return lines


def layer_file(module, modules, layer, index, files_per_layer, violation):
    other = modules[(modules.index(module) + 1) % len(modules)]
    lines = [f"//! {layer} of {module}, part {index}.", ""]
    if layer == "domain":
        lines += [
            "use std::collections::{BTreeMap, HashMap as Map};",
            "use std::fmt::{self, Display};",
            "",
            f"use super::f{(index + 1) % files_per_layer}::*;",
        ]
    elif layer == "application":
        lines += [
            "use std::sync::Arc;",
            "",
            f"use crate::modules::{module}::domain::{{self, Domain{index}, Domain{index}Kind}};",
            f"use crate::modules::{other}::application::Application0 as OtherService;",
            "use super::super::domain::*;",
        ]
    elif layer == "infrastructure":
        lines += [
            "use sqlx::Row as _;",
            "",
            f"use crate::modules::{module}::{{application::Application{index}, domain::Domain{index}}};",
            "use crate::platform::db::Pool;",
        ]
    else:
        lines += [
            "use axum::Json;",
            "",
            f"use crate::modules::{module}::application::{{self as app, Application{index}}};",
            "use crate::platform::problem::Problem;",
        ]
    if violation:
        if layer == "domain":
            lines.append(f"use crate::modules::{module}::infrastructure::Infrastructure{index};")
        elif layer == "application":
            lines.append(f"use crate::modules::{other}::domain::Domain0 as Leaked;")
        elif layer == "api":
            lines.append(f"use crate::modules::{module}::infrastructure::Infrastructure{index} as Direct;")
        else:
            lines.append(f"use crate::modules::{other}::domain::Domain0 as Leaked;")
    lines.append("")
    name = f"{layer.capitalize()}{index}"
    lines += entity_block(module, layer, index, 8)
    lines += [
        f"pub fn build_{index}(items: &[{name}]) -> std::collections::BTreeMap<u64, {name}> {{",
        "    let mut map = std::collections::BTreeMap::new();",
        "    for item in items {",
        "        map.insert(item.id, item.clone());",
        "    }",
        f"    assert_eq!(map.len(), items.len(), \"{{}}\", self::describe());",
        "    map",
        "}",
        "",
        "pub fn describe() -> String {",
        (
            f"    format!(\"{{}}\", crate::platform::clock::now())"
            if layer in ("infrastructure", "api")
            else f"    format!(\"{{}}\", super::f{index}::generic_{index}(1u8).len())"
        ),
        "}",
        "",
        f"pub fn generic_{index}<T: Clone + std::fmt::Debug>(value: T) -> Vec<T> where T: PartialEq {{",
        "    vec![value.clone(), value]",
        "}",
        "",
    ]
    if layer == "application":
        lines += [
            f"pub fn use_domain_{index}(entity: &domain::Domain{index}) -> Domain{index}Kind {{",
            f"    let _shared: Arc<Domain{index}> = Arc::new(entity.clone());",
            f"    let _other: Option<OtherService> = None;",
            f"    Domain{index}Kind::Second(entity.amounts.len() as u32)",
            "}",
            "",
        ]
    if layer == "infrastructure":
        lines += [
            f"pub async fn store_{index}(pool: &Pool, entity: &Domain{index}) -> Result<(), sqlx::Error> {{",
            "    sqlx::query(\"insert into items (id) values ($1)\")",
            "        .bind(entity.id as i64)",
            "        .execute(pool)",
            "        .await",
            "        .map(|_| ())",
            "}",
            "",
            f"pub fn service_{index}() -> Option<Application{index}> {{",
            "    None",
            "}",
            "",
        ]
    if layer == "api":
        lines += [
            f"pub async fn handler_{index}(Json(body): Json<app::Application{index}>) -> Result<Json<Application{index}>, Problem> {{",
            "    Ok(Json(body))",
            "}",
            "",
        ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("--modules", type=int, default=60)
    parser.add_argument("--files-per-layer", type=int, default=4)
    arguments = parser.parse_args()
    root = arguments.output
    modules = [f"m{number:03}" for number in range(arguments.modules)]
    write(
        os.path.join(root, "Cargo.toml"),
        '[package]\nname = "synthetic"\nversion = "0.1.0"\nedition = "2024"\npublish = false\n\n'
        "[workspace]\n\n[dependencies]\naxum = \"0.8\"\nserde = \"1\"\nsqlx = \"0.8\"\ntokio = \"1\"\n",
    )
    write(os.path.join(root, "axiomod.toml"), '[architecture]\npreset = "clean"\n')
    write(
        os.path.join(root, "src/main.rs"),
        "mod app;\nmod modules;\nmod platform;\n\n#[tokio::main]\nasync fn main() {\n    app::run().await;\n}\n",
    )
    write(
        os.path.join(root, "src/app.rs"),
        "pub async fn run() {\n"
        + "".join(f"    let _ = crate::modules::{m}::infrastructure::service_0();\n" for m in modules)
        + "}\n",
    )
    write(
        os.path.join(root, "src/platform/mod.rs"),
        "pub mod clock;\npub mod db;\npub mod problem;\n",
    )
    write(
        os.path.join(root, "src/platform/clock.rs"),
        "pub fn now() -> u64 {\n    0\n}\n",
    )
    write(os.path.join(root, "src/platform/db.rs"), "pub use sqlx::PgPool as Pool;\n")
    write(
        os.path.join(root, "src/platform/problem.rs"),
        "#[derive(Debug, serde::Serialize)]\npub struct Problem {\n    pub status: u16,\n}\n",
    )
    write(
        os.path.join(root, "src/modules/mod.rs"),
        "".join(f"pub mod {m};\n" for m in modules),
    )
    counter = 0
    for module in modules:
        write(
            os.path.join(root, "src/modules", module, "mod.rs"),
            "".join(f"pub mod {layer};\n" for layer in LAYERS),
        )
        for layer in LAYERS:
            files = arguments.files_per_layer
            write(
                os.path.join(root, "src/modules", module, layer, "mod.rs"),
                "".join(f"mod f{index};\npub use f{index}::*;\n" for index in range(files)),
            )
            for index in range(files):
                counter += 1
                text = layer_file(module, modules, layer, index, files, counter % 25 == 0)
                write(os.path.join(root, "src/modules", module, layer, f"f{index}.rs"), text + "\n")


if __name__ == "__main__":
    main()
