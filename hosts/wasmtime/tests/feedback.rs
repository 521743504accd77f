//! The `feedback` export and `flows.post-feedback` through wasmtime: the documented comment
//! responses and the request builders against the core, and feedback posted over HTTP,
//! created then updated in place, on the component and on the core natively with the same
//! results.

mod common;

use forgelink_host::json;
use forgelink_host::wit::{self, Provider};
use serde_json::{json, Value};

use common::core::{core_json, core_provider, core_response, response};
use common::faces::{assert_core_agrees, ComponentFace, Face};
use common::fake_gitlab::{FakeGitLab, TOKEN};
use common::plugin;

fn core_location(location: &wit::FeedbackLocation) -> forgelink::FeedbackLocation {
    serde_json::from_value(json::feedback_location(location)).expect("the core reads it")
}

#[test]
fn documented_comment_responses_read_as_the_core_reads_them() {
    let path =
        format!("{}/../../tests/fixtures/feedback/responses.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let cases: Vec<Value> = serde_json::from_str(&text).expect("JSON");
    let mut plugin = plugin();
    let (mut read, mut refused) = (0, 0);
    for case in &cases {
        let name = case["name"].as_str().expect("a name");
        let provider = json::parse_provider(case["provider"].as_str().expect("a provider"))
            .expect("a provider");
        let location = json::parse_feedback_location(&case["location"]).expect("a location");
        assert_eq!(json::feedback_location(&location), case["location"], "{name}");
        let answer = wit::Response {
            status: case["status"].as_u64().expect("a status") as u16,
            headers: Vec::new(),
            body: case["body"].to_string().into_bytes(),
        };
        let comment = plugin.parse_comment(provider, &location, &answer).unwrap();
        let core = forgelink::parse_comment(
            core_provider(provider),
            &core_location(&location),
            &core_response(&answer),
        );
        let expect = &case["expect"];
        match (comment, core) {
            (Ok(comment), Ok(core)) => {
                let printed = json::comment(&comment);
                assert_eq!(printed, core_json(&core), "{name}");
                let mut present = printed.clone();
                present.as_object_mut().expect("an object").retain(|_, v| !v.is_null());
                assert_eq!(&present, expect, "{name}");
                read += 1;
            }
            (Err(error), Err(core)) => {
                assert_eq!(error.code, core.code.as_str(), "{name}");
                assert_eq!(json!({ "code": error.code }), *expect, "{name}");
                assert_eq!(error.guidance.code, error.code);
                assert!(!error.guidance.steps.is_empty(), "{name}");
                refused += 1;
            }
            (comment, core) => panic!("{name}: the component gave {comment:?}, the core {core:?}"),
        }
        let base_url = case["baseUrl"].as_str();
        let instance = wit::Instance { provider, base_url: base_url.map(str::to_owned) };
        let project =
            if provider == Provider::BitbucketDataCenter { "PRJ/repo" } else { "group/repo" };
        let request = plugin
            .prepare_create_comment(&instance, "t", project, &location, "x")
            .unwrap()
            .expect("a request");
        let endpoints = forgelink::endpoints(core_provider(provider), base_url).unwrap();
        let core = forgelink::prepare_create_comment(
            &endpoints,
            "t",
            project,
            &core_location(&location),
            "x",
        )
        .unwrap();
        assert_eq!(
            common::comparable(json::request(&request)),
            common::comparable(core_json(&core)),
            "{name}"
        );
    }
    assert!(read >= 6 && refused >= 3, "{read} read, {refused} refused");
}

#[test]
fn builders_markers_and_lists_match_the_core() {
    let mut plugin = plugin();
    for key in ["ci/run-1", "a -->b", "", "é--x\n<!--"] {
        assert_eq!(
            plugin.feedback_marker(key).unwrap(),
            forgelink::feedback_marker(key),
            "{key:?}"
        );
        for given in [Some(key), None] {
            assert_eq!(
                plugin.feedback_body("**Failed**\n", given).unwrap(),
                forgelink::feedback_body("**Failed**\n", given)
            );
        }
    }
    let body = plugin.feedback_body("done", Some("k")).unwrap();
    let comments = vec![
        wit::Comment {
            id: "1".into(),
            body: "other".into(),
            url: None,
            discussion_id: None,
            version: None,
        },
        wit::Comment {
            id: "2".into(),
            body,
            url: None,
            discussion_id: Some("d2".into()),
            version: Some(3),
        },
    ];
    let found = plugin.find_feedback(&comments, "k").unwrap().expect("found by its marker");
    assert_eq!((found.id.as_str(), found.version), ("2", Some(3)));
    assert!(plugin.find_feedback(&comments, "other").unwrap().is_none());

    let locations = [
        wit::FeedbackLocation::MergeRequest(7),
        wit::FeedbackLocation::Commit("abc".into()),
        wit::FeedbackLocation::Issue(3),
        wit::FeedbackLocation::NewIssue("Nightly failed".into()),
    ];
    let instances = [
        (Provider::Github, None, "octo/repo"),
        (Provider::Gitlab, Some("https://example.com/gitlab"), "group/sub/app"),
        (Provider::BitbucketCloud, None, "ws/repo"),
        (Provider::BitbucketDataCenter, Some("https://bb.example.com"), "PRJ/app"),
    ];
    let existing = wit::Comment {
        id: "9".into(),
        body: String::new(),
        url: None,
        discussion_id: Some("d9".into()),
        version: Some(3),
    };
    let core_existing = forgelink::Comment {
        id: "9".into(),
        body: String::new(),
        url: None,
        discussion_id: Some("d9".into()),
        version: Some(3),
    };
    let mut built = 0;
    for (provider, base_url, project) in instances {
        let instance = wit::Instance { provider, base_url: base_url.map(str::to_owned) };
        let endpoints = forgelink::endpoints(core_provider(provider), base_url).unwrap();
        for location in &locations {
            let core_location = core_location(location);
            let pairs = [
                (
                    plugin.prepare_list_comments(&instance, "t", project, location).unwrap(),
                    forgelink::prepare_list_comments(&endpoints, "t", project, &core_location),
                ),
                (
                    plugin.prepare_create_comment(&instance, "t", project, location, "hi").unwrap(),
                    forgelink::prepare_create_comment(
                        &endpoints,
                        "t",
                        project,
                        &core_location,
                        "hi",
                    ),
                ),
                (
                    plugin
                        .prepare_update_comment(&instance, "t", project, location, &existing, "hi")
                        .unwrap(),
                    forgelink::prepare_update_comment(
                        &endpoints,
                        "t",
                        project,
                        &core_location,
                        &core_existing,
                        "hi",
                    ),
                ),
            ];
            for (request, core) in pairs {
                match (request, core) {
                    (Ok(request), Ok(core)) => {
                        assert_eq!(
                            common::comparable(json::request(&request)),
                            common::comparable(core_json(&core)),
                            "{provider:?} {location:?}"
                        );
                        built += 1;
                    }
                    (Err(error), Err(core)) => {
                        assert_eq!(error.code, core.code.as_str(), "{provider:?} {location:?}");
                        assert_eq!(error.guidance.code, error.code);
                    }
                    (request, core) => panic!("{provider:?} {location:?}: {request:?} {core:?}"),
                }
            }
        }
    }
    assert!(built >= 30, "{built}");

    let lists = [
        (
            Provider::Github,
            wit::FeedbackLocation::MergeRequest(1),
            "https://api.github.com/repos/o/r/issues/1/comments?per_page=100",
            response(
                200,
                &[("Link", r#"<https://api.github.com/repositories/1/issues/1/comments?page=2>; rel="next""#)],
                r#"[{"id":1,"body":"a <!-- forgelink:feedback:k -->","html_url":"https://github.com/o/r/pull/1#issuecomment-1"}]"#,
            ),
        ),
        (
            Provider::BitbucketDataCenter,
            wit::FeedbackLocation::MergeRequest(2),
            "https://bb.example.com/rest/api/latest/projects/P/repos/r/pull-requests/2/activities?limit=100",
            response(
                200,
                &[],
                r#"{"isLastPage":false,"nextPageStart":25,"values":[{"action":"COMMENTED","comment":{"id":5,"version":2,"text":"x"}},{"action":"APPROVED"}]}"#,
            ),
        ),
        (Provider::Gitlab, wit::FeedbackLocation::Issue(4), "https://gitlab.com/api/v4/x", response(423, &[], r#"{"message":"locked"}"#)),
        (Provider::BitbucketCloud, wit::FeedbackLocation::Commit("c".into()), "https://x", response(200, &[], "not json")),
    ];
    for (provider, location, url, answer) in &lists {
        let page = plugin.parse_comment_list(*provider, location, url, answer).unwrap();
        let core = forgelink::parse_comment_list(
            core_provider(*provider),
            &core_location(location),
            url,
            &core_response(answer),
        );
        match (page, core) {
            (Ok(page), Ok(core)) => {
                assert_eq!(json::comment_page(&page), core_json(&core), "{provider:?}");
                assert!(page.next.is_some(), "{provider:?}");
            }
            (Err(error), Err(core)) => assert_eq!(error.code, core.code.as_str(), "{provider:?}"),
            (page, core) => panic!("{provider:?}: {page:?} {core:?}"),
        }
    }
}

const SHA: &str = "bcbb5ec396a2c0f828686f14fac9b80b780504f2";

/// Feedback on a merge request, created then updated in place; on the commit without one or
/// when the discussion is locked; and the failures.
fn feedback_scenario(face: &mut dyn Face, fake: &FakeGitLab) -> Vec<Value> {
    let mut transcript = Vec::new();
    let connection = face.connect_with_token(&fake.base_url, TOKEN);
    let id = connection["id"].as_str().expect("connected").to_owned();
    transcript.push(face.register_webhooks(&id, &["group/app"]));
    let on_mr = |body: &str| json!({ "project": "group/app", "mergeRequest": 5, "commitSha": SHA, "body": body, "key": "ci/pipeline-100" });
    transcript.push(face.post_feedback(&id, &on_mr("**rspec failed**: 3 tests")));
    transcript.push(face.post_feedback(&id, &on_mr("**rspec passed** after a retry")));
    {
        let state = fake.state();
        assert_eq!(state.mr_notes.len(), 1, "one comment, rewritten");
        assert_eq!(
            state.mr_notes[0].1,
            "**rspec passed** after a retry\n\n<!-- forgelink:feedback:ci/pipeline-100 -->"
        );
    }
    // Without a key, every post adds a comment.
    let unkeyed = json!({ "project": "group/app", "mergeRequest": 5, "body": "a note" });
    transcript.push(face.post_feedback(&id, &unkeyed));
    let on_commit = |body: &str| json!({ "project": "group/app", "commitSha": SHA, "body": body, "key": "ci/pipeline-7" });
    transcript.push(face.post_feedback(&id, &on_commit("failed")));
    transcript.push(face.post_feedback(&id, &on_commit("fixed")));
    assert_eq!(fake.state().commit_notes.len(), 1);
    fake.state().locked = true;
    let mut locked = on_commit("failed again");
    locked["mergeRequest"] = json!(5);
    transcript.push(face.post_feedback(&id, &locked));
    let nowhere = json!({ "project": "group/app", "body": "x", "policy": { "order": ["merge_request", "commit"] } });
    transcript.push(face.post_feedback(&id, &nowhere));
    transcript.push(
        face.post_feedback(
            &id,
            &json!({ "project": "group/app", "mergeRequest": 5, "body": "  \n" }),
        ),
    );
    transcript.push(face.post_feedback("no-such-connection", &unkeyed));
    transcript.push(face.disconnect(&id));
    assert_eq!(fake.state().hook_token, None, "the hook was removed");
    transcript
}

#[test]
fn feedback_is_created_then_updated_in_place_as_the_core_does_it() {
    let fake = FakeGitLab::start();
    let mut component = ComponentFace::new(1_700_000_000);
    let transcript = feedback_scenario(&mut component, &fake);
    let [registered, created, updated, unkeyed, commit, commit_again, locked, nowhere, empty, unknown, disconnected] =
        transcript.as_slice()
    else {
        panic!("{} calls", transcript.len());
    };
    assert_eq!(
        (created["target"].as_str(), created["action"].as_str()),
        (Some("merge_request"), Some("created"))
    );
    assert_eq!(updated["action"], "updated");
    assert_eq!(updated["commentId"], created["commentId"]);
    assert_eq!(updated["skipped"], json!([]));
    assert_eq!(unkeyed["action"], "created");
    assert_ne!(unkeyed["commentId"], created["commentId"]);
    assert_eq!(
        (commit["target"].as_str(), commit["action"].as_str()),
        (Some("commit"), Some("created"))
    );
    assert_eq!(
        commit["skipped"],
        json!([{ "target": "merge_request", "message": "The request names none." }])
    );
    assert_eq!(
        (commit_again["action"].as_str(), &commit_again["commentId"]),
        (Some("updated"), &commit["commentId"])
    );
    assert_eq!(locked["target"], "commit");
    assert_eq!(locked["skipped"][0]["code"], "feedback.locked");
    assert_eq!(nowhere["error"], "feedback.no_target");
    assert_eq!(empty["error"], "input.invalid");
    assert_eq!(unknown["error"], "connection.not_found");
    assert_eq!(registered[0]["status"], "created");
    let removed = &disconnected["webhooks"];
    assert_eq!(removed[0]["status"], "removed", "{disconnected}");
    assert_eq!(removed[0]["hookId"], registered[0]["hookId"]);

    // The core, natively, over its own copy of the provider, says the same.
    assert_core_agrees(&transcript, &fake, 1_700_000_000, feedback_scenario);
}
