//! Times the OpenAPI front-end alone: spec file → entity schema → validated model `Module`
//! (what `generate scaffold --openapi` does before rendering). bench/openapi.sh runs it.
//!
//! Usage: cargo run --release --example openapi_front_end -- SPEC [ROUNDS]

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use axiomod::{openapi, schema};

/// One parse + translate + validate; returns the number of entities and warnings.
fn front_end(spec: &Path) -> Result<(usize, usize), String> {
    let translation = openapi::translate(spec, Some("bench")).map_err(|error| error.to_string())?;
    // `--module bench` puts everything in one module.
    let entity_schema = translation
        .modules
        .into_iter()
        .find_map(|module| module.schema)
        .ok_or_else(|| "the spec has no resource".to_owned())?;
    let module = schema::parse_str(&entity_schema, "bench.toml", schema::Format::Toml, &[])
        .map_err(|errors| format!("{:?}", errors.into_report()))?;
    Ok((module.entities.len(), translation.warnings.len()))
}

fn main() -> ExitCode {
    let mut arguments = std::env::args().skip(1);
    let Some(spec) = arguments.next() else {
        eprintln!("usage: openapi_front_end SPEC [ROUNDS]");
        return ExitCode::from(2);
    };
    let rounds: usize = arguments
        .next()
        .and_then(|rounds| rounds.parse().ok())
        .unwrap_or(5);
    let mut times: Vec<Duration> = Vec::new();
    let mut counts = (0, 0);
    for _ in 0..rounds.max(1) {
        let started = Instant::now();
        match front_end(Path::new(&spec)) {
            Ok(found) => counts = found,
            Err(error) => {
                eprintln!("{error}");
                return ExitCode::from(2);
            }
        }
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "entities={} warnings={} rounds={} median_ms={:.1} min_ms={:.1} max_ms={:.1}",
        counts.0,
        counts.1,
        times.len(),
        times[times.len() / 2].as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0,
    );
    ExitCode::SUCCESS
}
