//! Feedback as pure request builders and response readers: the marker that finds an earlier
//! comment, the requests that list, post and update comments, and their answers. In the `flows`
//! build only, with the other readers of provider answers. Locations and comments arrive as
//! JSON (`flows.js` has checked their field names; serde names whatever else is wrong).

use forgelink::{endpoints, Comment, Endpoints, Error, FeedbackLocation, HttpResponse};
use serde::Deserialize;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen::prelude::wasm_bindgen;

use crate::flows::from_json;
use crate::{envelope, ok, provider};

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

fn instance(provider_id: &str, base_url: Option<String>) -> Result<Endpoints, Error> {
    endpoints(provider(provider_id)?, base_url.as_deref())
}

/// A response from the pieces `flows.js` hands over: headers as `[name, value, name, value…]`.
fn response(status: u16, headers: Vec<String>, body: Vec<u8>) -> HttpResponse {
    let mut pairs = Vec::with_capacity(headers.len() / 2);
    let mut items = headers.into_iter();
    while let (Some(name), Some(value)) = (items.next(), items.next()) {
        pairs.push((name, value));
    }
    HttpResponse { status, headers: pairs, body }
}

fn location(json: &str) -> Result<FeedbackLocation, String> {
    from_json("location", json)
}

/// `feedbackMarker(key)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn feedback_marker(key: &str) -> String {
    ok(&forgelink::feedback_marker(key))
}

/// `feedbackBody(body, key?)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn feedback_body(body: &str, key: Option<String>) -> String {
    ok(&forgelink::feedback_body(body, key.as_deref()))
}

/// `findFeedback(comments, key)`, the comments as JSON: the first marked for `key`, or null.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn find_feedback(comments: &str, key: &str) -> String {
    match from_json::<Vec<CommentInput>>("comments", comments) {
        Ok(list) => {
            let list: Vec<Comment> = list.into_iter().map(Comment::from).collect();
            ok(&forgelink::find_feedback(&list, key))
        }
        Err(invalid) => invalid,
    }
}

/// `prepareListComments({ provider, baseUrl? }, token, project, location)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_list_comments(
    provider_id: &str,
    base_url: Option<String>,
    token: &str,
    project: &str,
    location_json: &str,
) -> String {
    let location = match location(location_json) {
        Ok(location) => location,
        Err(invalid) => return invalid,
    };
    envelope(
        instance(provider_id, base_url)
            .and_then(|e| forgelink::prepare_list_comments(&e, token, project, &location)),
    )
}

/// `prepareCreateComment({ provider, baseUrl? }, token, project, location, body)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_create_comment(
    provider_id: &str,
    base_url: Option<String>,
    token: &str,
    project: &str,
    location_json: &str,
    body: &str,
) -> String {
    let location = match location(location_json) {
        Ok(location) => location,
        Err(invalid) => return invalid,
    };
    envelope(
        instance(provider_id, base_url)
            .and_then(|e| forgelink::prepare_create_comment(&e, token, project, &location, body)),
    )
}

/// `prepareUpdateComment({ provider, baseUrl? }, token, project, location, comment, body)`.
#[allow(clippy::too_many_arguments)]
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn prepare_update_comment(
    provider_id: &str,
    base_url: Option<String>,
    token: &str,
    project: &str,
    location_json: &str,
    comment_json: &str,
    body: &str,
) -> String {
    let location = match location(location_json) {
        Ok(location) => location,
        Err(invalid) => return invalid,
    };
    let comment: Comment = match from_json::<CommentInput>("comment", comment_json) {
        Ok(comment) => comment.into(),
        Err(invalid) => return invalid,
    };
    envelope(instance(provider_id, base_url).and_then(|e| {
        forgelink::prepare_update_comment(&e, token, project, &location, &comment, body)
    }))
}

/// `parseComment(provider, location, response)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_comment(
    provider_id: &str,
    location_json: &str,
    status: u16,
    headers: Vec<String>,
    body: Vec<u8>,
) -> String {
    let location = match location(location_json) {
        Ok(location) => location,
        Err(invalid) => return invalid,
    };
    let response = response(status, headers, body);
    envelope(provider(provider_id).and_then(|p| forgelink::parse_comment(p, &location, &response)))
}

/// `parseCommentList(provider, location, requestUrl, response)`.
#[cfg_attr(all(target_family = "wasm", target_os = "unknown"), wasm_bindgen)]
pub fn parse_comment_list(
    provider_id: &str,
    location_json: &str,
    request_url: &str,
    status: u16,
    headers: Vec<String>,
    body: Vec<u8>,
) -> String {
    let location = match location(location_json) {
        Ok(location) => location,
        Err(invalid) => return invalid,
    };
    let response = response(status, headers, body);
    envelope(
        provider(provider_id)
            .and_then(|p| forgelink::parse_comment_list(p, &location, request_url, &response)),
    )
}
