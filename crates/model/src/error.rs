//! What can go wrong, at the bottom of the crate with the parameters: fitting (and learning,
//! which fits), building an index, and a playlist request. The artifact's own errors sit with
//! it ([`crate::artifact::ArtifactError`]): they are about bytes and files, not the model.

/// Why fitting (or learning the weights, which fits fold models) failed.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    /// The catalog holds no track.
    #[error("cannot fit a model on an empty catalog")]
    EmptyCatalog,
    /// A parameter is out of range.
    #[error("invalid parameter {name}: {message}")]
    InvalidParam {
        /// Parameter path, e.g. `pca.variance_ratio`.
        name: String,
        /// What is wrong, with the value.
        message: String,
    },
    /// The vectors could not be indexed.
    #[error("cannot build the neighbour index: {0}")]
    Index(#[from] IndexError),
}

impl FitError {
    /// An out-of-range parameter: `name` is its path, `message` says what is wrong.
    pub(crate) fn invalid(name: impl Into<String>, message: impl Into<String>) -> Self {
        FitError::InvalidParam {
            name: name.into(),
            message: message.into(),
        }
    }
}

/// Why an index cannot be built.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum IndexError {
    /// No vectors at all.
    #[error("cannot index an empty set of vectors")]
    Empty,
    /// Vectors of length 0.
    #[error("cannot index vectors of dimension 0")]
    ZeroDimension,
    /// NaN or infinity somewhere.
    #[error("vector {row} has a non-finite value at column {column}")]
    NotFinite {
        /// Offending row.
        row: usize,
        /// Offending column.
        column: usize,
    },
}

/// Why a playlist (or a track's neighbours) could not be generated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GenerateError {
    /// An option or the seed list is invalid; `message` names the parameter and the value.
    #[error("{message}")]
    InvalidOption {
        /// The parameter (`length`, `seeds`, `energy.min`...).
        param: String,
        /// The full message, e.g. "length must be 1..=100, got 0".
        message: String,
    },
    /// No track of the catalog passes the options.
    #[error(
        "no track in the catalog passes the options (exclusions, blocked artists, \
         attribute bounds); loosen them"
    )]
    NothingMatches,
}
