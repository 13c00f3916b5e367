//! Terminal helpers shared by the commands: TTY detection, confirmation prompts and
//! progress bars. Engines never touch the terminal; only `commands/*` call these.

use std::io::IsTerminal;

/// True when both stdin and stderr are terminals, so a person can answer a prompt.
/// Never true under `CI=true`.
pub fn is_interactive() -> bool {
    let in_ci = std::env::var("CI").is_ok_and(|value| value == "true" || value == "1");
    !in_ci && std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks `question` on a terminal; anywhere else refuses, since nobody can answer. `changing`
/// says what would change ("the database", "dead letters") and `dry_run` what `--dry-run`
/// shows ("run", "change").
pub fn confirm(question: &str, changing: &str, dry_run: &str) -> miette::Result<()> {
    if !is_interactive() {
        return Err(miette::miette!(
            help = format!("pass --yes to confirm (or --dry-run to see what would {dry_run})"),
            "refusing to change {changing} without confirmation: not a terminal"
        ));
    }
    let confirmed = dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact()
        .map_err(|error| miette::miette!("cannot read the answer: {error}"))?;
    if confirmed {
        Ok(())
    } else {
        Err(miette::miette!("cancelled; nothing was changed"))
    }
}
