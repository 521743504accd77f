//! The `feedback` export: the core's pure comment request builders and response parsers.

use crate::bindings::exports::forgelink::connect::feedback as wit;
use crate::bindings::exports::forgelink::connect::types as wit_types;
use crate::bindings::forgelink::connect::http;
use crate::convert::{core_provider, instance, FromWit, IntoWit};
use crate::tokens::{prepared, response};
use crate::Component;

forgelink_wit_convert::conversions! {
    wit = "../../wit";
    "feedback/feedback-target": forgelink::FeedbackTarget <=> wit::FeedbackTarget;
    "feedback/comment": forgelink::Comment <=> wit::Comment;
    "feedback/comment-page": forgelink::CommentPage => wit::CommentPage;
}

fn location(location: wit::FeedbackLocation) -> forgelink::FeedbackLocation {
    match location {
        wit::FeedbackLocation::MergeRequest(number) => {
            forgelink::FeedbackLocation::MergeRequest { number }
        }
        wit::FeedbackLocation::Commit(sha) => forgelink::FeedbackLocation::Commit { sha },
        wit::FeedbackLocation::Issue(number) => forgelink::FeedbackLocation::Issue { number },
        wit::FeedbackLocation::NewIssue(title) => forgelink::FeedbackLocation::NewIssue { title },
    }
}

impl wit::Guest for Component {
    fn feedback_marker(key: String) -> String {
        forgelink::feedback_marker(&key)
    }

    fn feedback_body(body: String, key: Option<String>) -> String {
        forgelink::feedback_body(&body, key.as_deref())
    }

    fn find_feedback(comments: Vec<wit::Comment>, key: String) -> Option<wit::Comment> {
        let comments: Vec<forgelink::Comment> = FromWit::from_wit(comments);
        forgelink::find_feedback(&comments, &key).cloned().map(IntoWit::into_wit)
    }

    fn prepare_list_comments(
        instance: wit_types::Instance,
        token: String,
        project: String,
        location: wit::FeedbackLocation,
    ) -> Result<http::Request, wit_types::Error> {
        let endpoints = self::instance(&instance)?;
        let location = self::location(location);
        prepared(forgelink::prepare_list_comments(&endpoints, &token, &project, &location))
    }

    fn prepare_create_comment(
        instance: wit_types::Instance,
        token: String,
        project: String,
        location: wit::FeedbackLocation,
        body: String,
    ) -> Result<http::Request, wit_types::Error> {
        let endpoints = self::instance(&instance)?;
        let location = self::location(location);
        prepared(forgelink::prepare_create_comment(&endpoints, &token, &project, &location, &body))
    }

    fn prepare_update_comment(
        instance: wit_types::Instance,
        token: String,
        project: String,
        location: wit::FeedbackLocation,
        comment: wit::Comment,
        body: String,
    ) -> Result<http::Request, wit_types::Error> {
        let endpoints = self::instance(&instance)?;
        let location = self::location(location);
        let comment = forgelink::Comment::from_wit(comment);
        prepared(forgelink::prepare_update_comment(
            &endpoints, &token, &project, &location, &comment, &body,
        ))
    }

    fn parse_comment(
        provider: wit_types::Provider,
        location: wit::FeedbackLocation,
        response: http::Response,
    ) -> Result<wit::Comment, wit_types::Error> {
        forgelink::parse_comment(
            core_provider(provider),
            &self::location(location),
            &self::response(response),
        )
        .map(IntoWit::into_wit)
        .map_err(IntoWit::into_wit)
    }

    fn parse_comment_list(
        provider: wit_types::Provider,
        location: wit::FeedbackLocation,
        request_url: String,
        response: http::Response,
    ) -> Result<wit::CommentPage, wit_types::Error> {
        forgelink::parse_comment_list(
            core_provider(provider),
            &self::location(location),
            &request_url,
            &self::response(response),
        )
        .map(IntoWit::into_wit)
        .map_err(IntoWit::into_wit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_locations_and_comments_cross_the_boundary_unchanged() {
        for original in [
            forgelink::FeedbackTarget::MergeRequest,
            forgelink::FeedbackTarget::Commit,
            forgelink::FeedbackTarget::Issue,
        ] {
            assert_eq!(forgelink::FeedbackTarget::from_wit(original.into_wit()), original);
        }
        let locations = [
            (
                wit::FeedbackLocation::MergeRequest(7),
                forgelink::FeedbackLocation::MergeRequest { number: 7 },
            ),
            (
                wit::FeedbackLocation::Commit("abc".into()),
                forgelink::FeedbackLocation::Commit { sha: "abc".into() },
            ),
            (wit::FeedbackLocation::Issue(3), forgelink::FeedbackLocation::Issue { number: 3 }),
            (
                wit::FeedbackLocation::NewIssue("t".into()),
                forgelink::FeedbackLocation::NewIssue { title: "t".into() },
            ),
        ];
        for (wit_location, core) in locations {
            assert_eq!(location(wit_location), core);
        }
        let comment = forgelink::Comment {
            id: "9".into(),
            body: "b".into(),
            url: Some("u".into()),
            discussion_id: Some("d".into()),
            version: Some(3),
        };
        assert_eq!(forgelink::Comment::from_wit(comment.clone().into_wit()), comment);
    }
}
