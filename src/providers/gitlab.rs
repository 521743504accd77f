//! What forgelink knows about GitLab (gitlab.com, Dedicated and self-managed), each fact with its source.
