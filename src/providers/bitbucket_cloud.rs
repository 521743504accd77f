//! What forgelink knows about Bitbucket Cloud (bitbucket.org), each fact with its source.
