//! `axiomod completions <shell>`: shell completion scripts on stdout.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::cli::Cli;
use crate::outcome::Outcome;

/// Print a shell completion script.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  axiomod completions bash > ~/.local/share/bash-completion/completions/axiomod
  axiomod completions zsh > ~/.zfunc/_axiomod
  axiomod completions fish > ~/.config/fish/completions/axiomod.fish")]
pub struct CompletionsArgs {
    /// The shell to write completions for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn exec(args: CompletionsArgs) -> miette::Result<Outcome> {
    let mut command = Cli::command();
    // Into a buffer first: clap_complete panics when stdout is closed (`… | head`).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "axiomod", &mut script);
    super::write_stdout(&script);
    Ok(Outcome::Success)
}
