//! The `polling` export: the core's pure poll request builders and response parsers.

use crate::bindings::exports::forgelink::connect::polling as wit;
use crate::bindings::exports::forgelink::connect::types as wit_types;
use crate::bindings::forgelink::connect::http;
use crate::convert::{core_provider, instance, FromWit, IntoWit};
use crate::tokens::{prepared, request, response};
use crate::Component;

pub(crate) fn resource(resource: forgelink::PollResource) -> wit::PollResource {
    match resource {
        forgelink::PollResource::Pipelines => wit::PollResource::Pipelines,
        forgelink::PollResource::Pipeline { pipeline_id, updated_at } => {
            wit::PollResource::Pipeline(wit::ListedPipeline { id: pipeline_id, updated_at })
        }
        forgelink::PollResource::Jobs { pipeline_id } => wit::PollResource::Jobs(pipeline_id),
        forgelink::PollResource::MergeRequests => wit::PollResource::MergeRequests,
        forgelink::PollResource::Pushes => wit::PollResource::Pushes,
        forgelink::PollResource::Branches => wit::PollResource::Branches,
        forgelink::PollResource::CommitStatuses { sha } => wit::PollResource::CommitStatuses(sha),
    }
}

fn core_resource(resource: wit::PollResource) -> forgelink::PollResource {
    match resource {
        wit::PollResource::Pipelines => forgelink::PollResource::Pipelines,
        wit::PollResource::Pipeline(listed) => forgelink::PollResource::Pipeline {
            pipeline_id: listed.id,
            updated_at: listed.updated_at,
        },
        wit::PollResource::Jobs(pipeline_id) => forgelink::PollResource::Jobs { pipeline_id },
        wit::PollResource::MergeRequests => forgelink::PollResource::MergeRequests,
        wit::PollResource::Pushes => forgelink::PollResource::Pushes,
        wit::PollResource::Branches => forgelink::PollResource::Branches,
        wit::PollResource::CommitStatuses(sha) => forgelink::PollResource::CommitStatuses { sha },
    }
}

forgelink_wit_convert::conversions! {
    wit = "../../wit";
    "polling/rate-limit": forgelink::RateLimit => wit::RateLimit;
}

impl wit::Guest for Component {
    fn poll_resources(provider: wit_types::Provider) -> Vec<wit::PollResource> {
        forgelink::poll_resources(core_provider(provider)).into_iter().map(resource).collect()
    }

    fn prepare_poll_request(
        instance: wit_types::Instance,
        token: String,
        project: String,
        resource: wit::PollResource,
        since: i64,
    ) -> Result<http::Request, wit_types::Error> {
        let endpoints = self::instance(&instance)?;
        let resource = core_resource(resource);
        prepared(forgelink::prepare_poll_request(&endpoints, &token, &project, &resource, since))
    }

    fn prepare_poll_requests(
        instance: wit_types::Instance,
        token: String,
        project: String,
        since: i64,
    ) -> Result<Vec<wit::PollRequest>, wit_types::Error> {
        let endpoints = self::instance(&instance)?;
        let requests = forgelink::prepare_poll_requests(&endpoints, &token, &project, since)
            .map_err(IntoWit::into_wit)?;
        Ok(requests
            .into_iter()
            .map(|(resource, prepared)| wit::PollRequest {
                resource: self::resource(resource),
                request: request(prepared),
            })
            .collect())
    }

    fn parse_poll_response(
        instance: wit_types::Instance,
        project: String,
        resource: wit::PollResource,
        request_url: String,
        response: http::Response,
        since: i64,
        now: i64,
    ) -> Result<wit::PollPage, wit_types::Error> {
        let endpoints = self::instance(&instance)?;
        let page = forgelink::parse_poll_response(
            &endpoints,
            &project,
            &core_resource(resource),
            &request_url,
            &self::response(response),
            since,
            now,
        )
        .map_err(IntoWit::into_wit)?;
        Ok(wit::PollPage {
            events: page.events.into_wit(),
            follow_ups: page.follow_ups.into_iter().map(self::resource).collect(),
            next_page: page.next_page,
            rate_limit: page.rate_limit.into_wit(),
        })
    }

    fn read_rate_limit(response: http::Response, now: i64) -> wit::RateLimit {
        forgelink::read_rate_limit(&self::response(response), now).into_wit()
    }

    fn state_key(event: wit::WebhookEvent) -> Option<String> {
        forgelink::state_key(&FromWit::from_wit(event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_cross_the_boundary_and_back_unchanged() {
        let resources = [
            forgelink::PollResource::Pipelines,
            forgelink::PollResource::Pipeline {
                pipeline_id: "47".into(),
                updated_at: Some("2016-08-11T11:32:35.169Z".into()),
            },
            forgelink::PollResource::Pipeline { pipeline_id: "48".into(), updated_at: None },
            forgelink::PollResource::Jobs { pipeline_id: "47".into() },
            forgelink::PollResource::MergeRequests,
            forgelink::PollResource::Pushes,
            forgelink::PollResource::Branches,
            forgelink::PollResource::CommitStatuses { sha: "abc".into() },
        ];
        for original in resources {
            assert_eq!(core_resource(resource(original.clone())), original);
        }
    }
}
