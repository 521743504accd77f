// Rate limits the way each provider reports them: every API answer carries the provider's
// headers (GitHub `x-ratelimit-*`, GitLab `RateLimit-*`, Bitbucket Cloud `X-RateLimit-*`),
// counted per provider over the provider's window; with the `rateLimited` switch on, calls are
// refused the way each provider refuses them once the window is spent.

import { send } from "./http.mjs";

/** Calls per window: GitHub's 5,000 an hour, GitLab's authenticated API throttle of 2,000 a minute, Bitbucket Cloud's 1,000 an hour. */
const WINDOWS = {
  github: { limit: 5000, seconds: 3600 },
  gitlab: { limit: 2000, seconds: 60 },
  "bitbucket-cloud": { limit: 1000, seconds: 3600 },
  "bitbucket-data-center": null,
};
/** How long a refused caller is told to wait. */
export const RETRY_AFTER_SECONDS = 60;

export function createRateLimits(state) {
  const windows = {};

  /** The window `provider` is in now, started afresh when the last one ended. */
  function windowOf(provider) {
    const spec = WINDOWS[provider];
    if (!spec) return null;
    const now = Math.floor(Date.now() / 1000);
    let current = windows[provider];
    if (!current || current.reset <= now) current = windows[provider] = { used: 0, reset: now + spec.seconds, limit: spec.limit };
    return current;
  }

  function headers(provider, window) {
    const remaining = Math.max(0, window.limit - window.used);
    switch (provider) {
      case "github":
        return { "x-ratelimit-limit": String(window.limit), "x-ratelimit-remaining": String(remaining), "x-ratelimit-used": String(window.used), "x-ratelimit-reset": String(window.reset), "x-ratelimit-resource": "core" };
      case "gitlab":
        return {
          "RateLimit-Name": "throttle_authenticated_api",
          "RateLimit-Limit": String(window.limit),
          "RateLimit-Observed": String(window.used),
          "RateLimit-Remaining": String(remaining),
          "RateLimit-Reset": String(window.reset),
          "RateLimit-ResetTime": new Date(window.reset * 1000).toUTCString(),
        };
      case "bitbucket-cloud":
        return { "X-RateLimit-Limit": String(window.limit), "X-RateLimit-Resource": "api", "X-RateLimit-NearLimit": String(remaining < window.limit / 20) };
      default:
        return {};
    }
  }

  /**
   * Counts one API call. Answers the refusal itself and returns `true` when the `rateLimited`
   * switch is on for `provider`; otherwise sets the headers on `res` (they join whatever the
   * handler writes) and returns `false`.
   */
  function take(provider, res) {
    if (state.on("rateLimited", provider)) {
      const now = Math.floor(Date.now() / 1000);
      const spent = { used: WINDOWS[provider]?.limit ?? 0, limit: WINDOWS[provider]?.limit ?? 0, reset: now + RETRY_AFTER_SECONDS };
      refuse(provider, res, spent);
      return true;
    }
    const window = windowOf(provider);
    if (!window) return false;
    window.used += 1;
    for (const [name, value] of Object.entries(headers(provider, window))) res.setHeader(name, value);
    return false;
  }

  function refuse(provider, res, spent) {
    const retry = { "Retry-After": String(RETRY_AFTER_SECONDS) };
    switch (provider) {
      case "github":
        // The primary limit: 403, nothing remaining, and when the window resets.
        return send(
          res,
          403,
          { message: "API rate limit exceeded for user ID 583231. If you reach out to GitHub Support for help, please include the request ID.", documentation_url: "https://docs.github.com/enterprise-server@3.20/rest/using-the-rest-api/rate-limits-for-the-rest-api", status: "403" },
          { ...headers(provider, spent), ...retry },
        );
      case "gitlab": {
        // Rack::Attack's throttle answer: plain text, with the RateLimit headers and Retry-After.
        const text = "Retry later\n";
        res.writeHead(429, { "content-type": "text/plain", "content-length": Buffer.byteLength(text), ...headers(provider, spent), ...retry });
        return res.end(text);
      }
      case "bitbucket-cloud":
        return send(res, 429, { type: "error", error: { message: "Rate limit for this resource has been exceeded" } }, { ...headers(provider, spent), "X-RateLimit-NearLimit": "true", ...retry });
      default:
        // Data Center's token-bucket limiter.
        return send(res, 429, { errors: [{ context: null, message: "You have exceeded the rate limit. Try again later.", exceptionName: "com.atlassian.bitbucket.ratelimit.RateLimitedException" }] }, { "X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0", "X-RateLimit-Interval-Seconds": "1", "X-RateLimit-FillRate": "5", ...retry });
    }
  }

  return { take };
}
