"""A Python agent on PyPI `aauth` through surfaces 2-4 of the current profile, over loopback.

Reads {"mode", "resource_url", "resource", "ps", "agent_token", "d"} on stdin: the resource URL to
call and the resource's identifier, the person server's issuer, an agent token naming the
agent's key, and that key's Ed25519 seed (base64url).

mode "library": the library's own agent calls (`request_person_token`, `exchange_resource_token`),
which check every identifier themselves.
mode "signer": the library signs every request (`sign_request`, `sig=jwt`) and reads every
`AAuth-Requirement` (`parse_aauth_header`); the steps are driven here:
  GET the resource with the agent token -> 401 requirement=person-token;
  POST the PS person_token_endpoint -> person token (a 202 is polled at its Location);
  GET with the person token -> 401 requirement=auth-token with a resource token;
  POST the PS auth_token_endpoint -> auth token (a 202 is polled);
  GET with the auth token -> 200.
Writes {"steps": [{"step", "status", "ok", "detail"}]}; stops at the first unexpected answer.
"""
import asyncio
import base64
import json
import sys
import time

import httpx
import aauth
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from peer import error_text

BODY_COMPONENTS = ["content-type", "content-digest"]
STEPS = [
    "resource → 401 person-token",
    "PS → person token",
    "resource → 401 auth-token + resource token",
    "PS → auth token",
    "resource with auth token → 200",
]


def signed(method, url, key, token, body=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    headers.update(aauth.sign_request(
        method=method, target_uri=url, headers=headers, body=body, private_key=key,
        sig_scheme="jwt", jwt=token, additional_signature_components=BODY_COMPONENTS if body is not None else None,
    ))
    return headers


def requirement(response):
    raw = aauth.get_challenge_header_value(response.headers)
    return aauth.parse_aauth_header(raw) if raw else {}


def detail(response):
    return response.headers.get("aauth-requirement") or response.text[:200]


def ps_call(http, url, key, token, params, member):
    """A signed POST to a PS endpoint; a 202 is polled (signed GET) at its Location until it settles.

    Each `requirement=interaction` is announced once on stderr as one JSON line {"url", "code"}:
    the person's part, which the caller plays.
    """
    body = json.dumps(params, separators=(",", ":")).encode()
    r = http.post(url, content=body, headers=signed("POST", url, key, token, body))
    deadline = time.time() + 20
    announced = set()
    while r.status_code == 202 and time.time() < deadline:
        ask = requirement(r)
        if ask.get("requirement") == "interaction" and ask.get("code") not in announced:
            announced.add(ask.get("code"))
            print(json.dumps({"url": ask.get("url"), "code": ask.get("code")}), file=sys.stderr, flush=True)
        location = str(httpx.URL(url).join(r.headers["location"]))
        time.sleep(min(int(r.headers.get("retry-after", "0") or 0), 1))
        r = http.get(location, headers=signed("GET", location, key, token))
    value = r.json().get(member) if r.status_code == 200 else None
    return r, value


def by_signer(cfg, key, steps):
    def record(step, response, ok):
        steps.append({"step": step, "status": response.status_code, "ok": ok, "detail": "" if ok else detail(response)})
        return ok

    url = cfg["resource_url"]
    with httpx.Client(timeout=10) as http:
        r = http.get(url, headers=signed("GET", url, key, cfg["agent_token"]))
        if not record(STEPS[0], r, r.status_code == 401 and requirement(r).get("requirement") == "person-token"):
            return
        meta = http.get(f"{cfg['ps']}/.well-known/aauth-person.json").json()
        r, person = ps_call(http, meta["person_token_endpoint"], key, cfg["agent_token"], {"resource": cfg["resource"]}, "person_token")
        if not record(STEPS[1], r, person is not None):
            return
        r = http.get(url, headers=signed("GET", url, key, person))
        challenge = requirement(r)
        if not record(STEPS[2], r, r.status_code == 401 and challenge.get("requirement") == "auth-token" and bool(challenge.get("resource_token"))):
            return
        r, auth = ps_call(http, meta["auth_token_endpoint"], key, cfg["agent_token"], {"resource_token": challenge["resource_token"]}, "auth_token")
        if not record(STEPS[3], r, auth is not None):
            return
        r = http.get(url, headers=signed("GET", url, key, auth))
        record(STEPS[4], r, r.status_code == 200)


def by_library(cfg, key, steps):
    """The library's agent calls: its first refusal is the person token request's."""
    async def run():
        async with httpx.AsyncClient(timeout=10) as http:
            return await aauth.request_person_token(
                cfg["ps"], cfg["resource"], key, cfg["agent_token"],
                jwks_fetcher=lambda *_: None, http_client=http,
            )

    url = cfg["resource_url"]
    with httpx.Client(timeout=10) as http:
        r = http.get(url, headers=signed("GET", url, key, cfg["agent_token"]))
        if r.status_code != 401 or requirement(r).get("requirement") != "person-token":
            steps.append({"step": STEPS[0], "status": r.status_code, "ok": False, "detail": detail(r)})
            return
        steps.append({"step": STEPS[0], "status": 401, "ok": True, "detail": ""})
    asyncio.run(run())
    steps.append({"step": STEPS[1], "status": 200, "ok": True, "detail": ""})


def main():
    steps = []
    try:
        cfg = json.load(sys.stdin)
        seed = base64.urlsafe_b64decode(cfg["d"] + "=" * (-len(cfg["d"]) % 4))
        key = Ed25519PrivateKey.from_private_bytes(seed)
        (by_library if cfg["mode"] == "library" else by_signer)(cfg, key, steps)
    except Exception as exc:  # reported as the failing step
        steps.append({"step": "python", "status": 0, "ok": False, "detail": f"{type(exc).__name__}: {error_text(exc)}"})
    json.dump({"steps": steps}, sys.stdout)


if __name__ == "__main__":
    main()
