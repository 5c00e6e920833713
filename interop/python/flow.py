"""A Python agent built on PyPI `aauth` against our resource and auth server, over loopback.

Reads {"resource": url, "iss": agent server id, "d": base64url Ed25519 seed, "kid": str} on stdin.
Steps: GET the resource signed with an agent token (jwt scheme) → expect 401 with an `AAuth`
auth-token challenge; POST its resource token to the auth server's token endpoint, signed the
same way → expect 200 with an auth token; GET again signed with the auth token → expect 200.
Writes {"steps": [{"step", "status", "detail"}]} on stdout; stops at the first unexpected answer.
"""
import base64
import json
import sys

import httpx
import aauth
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

BODY_COMPONENTS = ["content-type", "content-digest"]


def signed(method, url, delegate, scheme_kwargs, body=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    sig = aauth.sign_request(
        method=method, target_uri=url, headers=headers, body=body, private_key=delegate,
        additional_signature_components=BODY_COMPONENTS if body is not None else None, **scheme_kwargs,
    )
    headers.update(sig)
    return headers


def flow(cfg, steps):
    seed = base64.urlsafe_b64decode(cfg["d"] + "=" * (-len(cfg["d"]) % 4))
    agent_server = Ed25519PrivateKey.from_private_bytes(seed)
    delegate, _ = aauth.generate_ed25519_keypair()

    def record(step, response, ok):
        detail = response.headers.get("aauth") or response.text[:200]
        steps.append({"step": step, "status": response.status_code, "ok": ok, "detail": detail})
        return ok

    agent_token = aauth.create_agent_token(
        iss=cfg["iss"], sub="aauth:py-agent@agent.example",
        cnf_jwk=aauth.public_key_to_jwk(delegate.public_key()), private_key=agent_server, kid=cfg["kid"],
    )
    as_agent = {"sig_scheme": "jwt", "jwt": agent_token}
    url = cfg["resource"]
    with httpx.Client(timeout=10) as http:
        r = http.get(url, headers=signed("GET", url, delegate, as_agent))
        challenge = aauth.parse_aauth_header(r.headers.get("aauth", "require=none"))
        if not record("resource → 401 challenge", r, r.status_code == 401 and challenge["require"] == "auth-token"):
            return
        meta = http.get(f"{challenge['auth_server']}/.well-known/aauth-issuer.json").json()
        endpoint = meta["token_endpoint"]
        body = json.dumps({"resource_token": challenge["resource_token"]}).encode()
        t = http.post(endpoint, content=body, headers=signed("POST", endpoint, delegate, as_agent, body))
        if not record("token endpoint → auth token", t, t.status_code == 200 and "auth_token" in t.json()):
            return
        as_authorized = {"sig_scheme": "jwt", "jwt": t.json()["auth_token"]}
        r2 = http.get(url, headers=signed("GET", url, delegate, as_authorized))
        record("resource with auth token → 200", r2, r2.status_code == 200)


def main():
    steps = []
    try:
        flow(json.load(sys.stdin), steps)
    except Exception as exc:  # reported as the failing step
        steps.append({"step": "python", "status": 0, "ok": False, "detail": f"{type(exc).__name__}: {exc}"[:200]})
    json.dump({"steps": steps}, sys.stdout)


if __name__ == "__main__":
    main()
