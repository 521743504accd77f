//! What forgelink knows about GitHub (github.com, Enterprise Cloud with data residency on ghe.com, Enterprise Server), each fact with its source.
