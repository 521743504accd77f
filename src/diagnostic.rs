use serde::Serialize;

use crate::error::Code;

/// How much a diagnostic matters: `error`, the input cannot be used as it is; `warning`, it was
/// used (perhaps normalised) but deserves a look.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input cannot be used as it is.
    Error,
    /// The input was used, perhaps after normalising it, but deserves a look.
    Warning,
}

/// One finding about an input, with a stable code that `troubleshoot` explains.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Diagnostic {
    /// The stable code, such as `base_url.trailing_slash`.
    pub code: Code,
    /// Whether the input is unusable (`error`) or only worth a look (`warning`).
    pub severity: Severity,
    /// One sentence for a person, naming what was found.
    pub message: String,
    /// What to type instead, when there is one clear answer (`https://gitlab.example.com`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub suggestion: Option<String>,
}

impl Diagnostic {
    pub(crate) fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic { code, severity: Severity::Error, message: message.into(), suggestion: None }
    }

    pub(crate) fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic { code, severity: Severity::Warning, message: message.into(), suggestion: None }
    }

    pub(crate) fn suggest(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestion = Some(suggestion.into());
        self
    }

    /// Whether this diagnostic makes the input unusable.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
