//! `axiomod new` on a terminal: the database prompt. A pseudo-terminal is made with util-linux
//! `script(1)`; the keys a person would press are written to its input.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";

/// Runs `axiomod <args>` in `folder` on a pseudo-terminal, typing `keys`. `None` (the test is
/// skipped, loudly) when `script` is missing, except under `CI=true`, where that fails.
fn on_terminal(
    folder: &Path,
    args: &str,
    keys: &str,
    environment: &[(&str, &str)],
) -> Option<Output> {
    let available = Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !available {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "script(1) (util-linux) is needed by the terminal tests under CI"
        );
        eprintln!("SKIPPED: script(1) (util-linux) is not installed");
        return None;
    }
    let command_line = format!("'{}' {args}", env!("CARGO_BIN_EXE_axiomod"));
    let mut child = Command::new("timeout")
        .args(["60", "script", "--quiet", "--return", "--command"])
        .arg(&command_line)
        .arg("/dev/null")
        .current_dir(folder)
        .env_remove("CI")
        .envs(environment.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script and timeout run");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(keys.as_bytes()).unwrap();
    drop(stdin);
    Some(child.wait_with_output().unwrap())
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn database_of(project: &Path) -> String {
    let file: toml::Table =
        toml::from_str(&std::fs::read_to_string(project.join("axiomod.toml")).unwrap()).unwrap();
    file["project"]["db"].as_str().unwrap().to_string()
}

#[test]
fn without_db_a_person_is_asked_and_enter_takes_sqlite() {
    let folder = tempfile::tempdir().unwrap();
    let Some(output) = on_terminal(folder.path(), "new shop", ENTER, &[]) else {
        return;
    };
    let screen = text(&output);
    assert_eq!(output.status.code(), Some(0), "{screen}");
    assert!(screen.contains("Database"), "{screen}");
    assert!(screen.contains("postgres"), "{screen}");
    assert_eq!(database_of(&folder.path().join("shop")), "sqlite");
}

#[test]
fn the_second_choice_is_postgres() {
    let folder = tempfile::tempdir().unwrap();
    let keys = format!("{DOWN}{ENTER}");
    let Some(output) = on_terminal(folder.path(), "new shop", &keys, &[]) else {
        return;
    };
    let screen = text(&output);
    assert_eq!(output.status.code(), Some(0), "{screen}");
    assert_eq!(database_of(&folder.path().join("shop")), "postgres");
}

#[test]
fn yes_db_and_ci_each_skip_the_prompt_on_a_terminal() {
    /// Arguments, environment, the database expected.
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case] = &[
        ("new shop --yes", &[], "sqlite"),
        ("new shop --db postgres", &[], "postgres"),
        ("new shop", &[("CI", "true")], "sqlite"),
    ];
    for (args, environment, database) in cases {
        let folder = tempfile::tempdir().unwrap();
        // No keys: a prompt would get end of input and fail.
        let Some(output) = on_terminal(folder.path(), args, "", environment) else {
            return;
        };
        let screen = text(&output);
        assert_eq!(output.status.code(), Some(0), "{args}: {screen}");
        assert!(!screen.contains("Database"), "{args} prompted: {screen}");
        assert_eq!(
            database_of(&folder.path().join("shop")),
            *database,
            "{args}"
        );
    }
}

#[test]
fn a_refused_target_is_reported_before_any_question() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::create_dir(folder.path().join("shop")).unwrap();
    std::fs::write(folder.path().join("shop/notes.txt"), "keep me\n").unwrap();
    let Some(output) = on_terminal(folder.path(), "new shop", ENTER, &[]) else {
        return;
    };
    let screen = text(&output);
    assert_eq!(output.status.code(), Some(2), "{screen}");
    assert!(screen.contains("is not empty"), "{screen}");
    assert!(
        !screen.contains("Database"),
        "asked before refusing: {screen}"
    );
    assert_eq!(
        std::fs::read_dir(folder.path().join("shop"))
            .unwrap()
            .count(),
        1
    );
}
