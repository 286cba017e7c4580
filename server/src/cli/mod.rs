//! The command-line subcommands other than `serve`.

pub mod bench;
pub mod bot;
pub mod describe;
pub mod eval;
pub mod fit;
pub mod recommend;
pub mod standin;

/// Feature bars look the same in the terminal as in the Telegram bot.
pub use selecta_bot::markup::bar;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_round_to_tenths() {
        assert_eq!(bar(0.0), "░░░░░░░░░░");
        assert_eq!(bar(0.74), "███████░░░");
        assert_eq!(bar(1.5), "██████████");
    }
}
