//! What forgelink knows about Bitbucket Data Center (and Server, its former name), each fact with its source.
