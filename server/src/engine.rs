//! Loading the model the server uses.
