//! Feedback as pure request builders and response readers: the marker that finds an earlier
//! comment, the requests that list, post and update comments, and their answers. In the `flows`
//! build only, with the other readers of provider answers. Each takes its arguments as
//! `crate::arguments` describes (`flows.js` has checked a location's field names, which its type
//! does not refuse).

use forgelink::{Comment, FeedbackLocation};
use serde::Deserialize;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen::prelude::wasm_bindgen;

use crate::arguments::{answer, Instance, ProviderId, ResponseHead};

/// A [`Comment`] as its JSON reads back (the core only writes comments).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CommentInput {
    id: String,
    body: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    discussion_id: Option<String>,
    #[serde(default)]
    version: Option<u64>,
}

impl From<CommentInput> for Comment {
    fn from(c: CommentInput) -> Self {
        Comment {
            id: c.id,
            body: c.body,
            url: c.url,
            discussion_id: c.discussion_id,
            version: c.version,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Marker {
    key: String,
}

/// `feedbackMarker(key)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn feedback_marker(arguments: &str) -> String {
    answer(arguments, |a: Marker| Ok(forgelink::feedback_marker(&a.key)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    body: String,
    key: Option<String>,
}

/// `feedbackBody(body, key?)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn feedback_body(arguments: &str) -> String {
    answer(arguments, |a: Body| Ok(forgelink::feedback_body(&a.body, a.key.as_deref())))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FindFeedback {
    comments: Vec<CommentInput>,
    key: String,
}

/// `findFeedback(comments, key)`: the first marked for `key`, or null.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn find_feedback(arguments: &str) -> String {
    answer(arguments, |a: FindFeedback| {
        let list: Vec<Comment> = a.comments.into_iter().map(Comment::from).collect();
        Ok(forgelink::find_feedback(&list, &a.key).cloned())
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListComments {
    instance: Instance,
    token: String,
    project: String,
    location: FeedbackLocation,
}

/// `prepareListComments(instance, token, project, location)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_list_comments(arguments: &str) -> String {
    answer(arguments, |a: ListComments| {
        let endpoints = a.instance.endpoints()?;
        forgelink::prepare_list_comments(&endpoints, &a.token, &a.project, &a.location)
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateComment {
    instance: Instance,
    token: String,
    project: String,
    location: FeedbackLocation,
    body: String,
}

/// `prepareCreateComment(instance, token, project, location, body)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_create_comment(arguments: &str) -> String {
    answer(arguments, |a: CreateComment| {
        let endpoints = a.instance.endpoints()?;
        forgelink::prepare_create_comment(&endpoints, &a.token, &a.project, &a.location, &a.body)
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateComment {
    instance: Instance,
    token: String,
    project: String,
    location: FeedbackLocation,
    comment: CommentInput,
    body: String,
}

/// `prepareUpdateComment(instance, token, project, location, comment, body)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_update_comment(arguments: &str) -> String {
    answer(arguments, |a: UpdateComment| {
        let endpoints = a.instance.endpoints()?;
        let comment = Comment::from(a.comment);
        let (token, project, location) = (&a.token, &a.project, &a.location);
        forgelink::prepare_update_comment(&endpoints, token, project, location, &comment, &a.body)
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParseComment {
    provider: ProviderId,
    location: FeedbackLocation,
    response: ResponseHead,
}

/// `parseComment(provider, location, response)`, the response's body apart.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_comment(arguments: &str, body: &[u8]) -> String {
    answer(arguments, |a: ParseComment| {
        let response = a.response.with_body(body);
        forgelink::parse_comment(a.provider.parse()?, &a.location, &response)
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ParseCommentList {
    provider: ProviderId,
    location: FeedbackLocation,
    request_url: String,
    response: ResponseHead,
}

/// `parseCommentList(provider, location, requestUrl, response)`, the response's body apart.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_comment_list(arguments: &str, body: &[u8]) -> String {
    answer(arguments, |a: ParseCommentList| {
        let response = a.response.with_body(body);
        forgelink::parse_comment_list(a.provider.parse()?, &a.location, &a.request_url, &response)
    })
}
