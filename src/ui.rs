//! Terminal helpers shared by the commands: TTY detection, confirmation prompts and
//! progress bars. Engines never touch the terminal; only `commands/*` call these.

use std::io::IsTerminal;

/// True when both stdin and stderr are terminals, so a person can answer a prompt.
/// Never true under `CI=true`.
pub fn is_interactive() -> bool {
    let in_ci = std::env::var("CI").is_ok_and(|value| value == "true" || value == "1");
    !in_ci && std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}
