"""The Python side of the current-profile matrix: `aa-*+jwt` tokens and `sig=jwt` signatures with PyPI `aauth`.

Reads one JSON document on stdin:
  {"ours": {"jwks": {iss: jwks}, "tokens": [{"id", "kind", "token", "aud", "presented"}],
            "requests": [{"id", "method", "url", "headers", "body"}]},
   "sign": [{"id", "carrier", "method", "url", "headers", "body", "components"}]}
and writes {"version", "jwks": {iss: jwks}, "tokens": {kind: token}, "verified": [...], "signed": [...]}.

Its own tokens name https issuers (the library takes no other): the agent provider
https://py-agent.example, the person server https://py-ps.example and the resource
https://py-resource.example. Keys are looked up in the JWKS maps given (no network), and every
failure carries the library's own message.
"""
import json
import sys
import time
from importlib.metadata import version

import aauth

from peer import error_text

AGENT_PROVIDER = "https://py-agent.example"
PERSON_SERVER = "https://py-ps.example"
RESOURCE = "https://py-resource.example"
AGENT_SUB = "aauth:py-agent@py-agent.example"
PERSON_SUB = "py-directed-person-1"


def _error(exc):
    """The library's message (see peer.py), after its error code when it has one."""
    code = getattr(exc, "error_code", None)
    return f"{code}: {error_text(exc)}" if code else error_text(exc)


def fetcher(jwks_by_issuer):
    def fetch(iss, _dwk=None, _kid=None):
        return jwks_by_issuer.get(iss)

    return fetch


def issue():
    """Its own tokens, each from the role that issues it, around one delegate key."""
    keys = {}
    for iss, kid in [(AGENT_PROVIDER, "py-agent-provider-1"), (PERSON_SERVER, "py-ps-1"), (RESOURCE, "py-resource-1")]:
        private, _ = aauth.generate_ed25519_keypair()
        keys[iss] = (private, kid)
    delegate, _ = aauth.generate_ed25519_keypair()
    cnf = aauth.public_key_to_jwk(delegate.public_key())
    jwks = {iss: {"keys": [aauth.public_key_to_jwk(k.public_key(), kid)]} for iss, (k, kid) in keys.items()}
    fetch = fetcher(jwks)
    exp = int(time.time()) + 3600
    agent = aauth.create_agent_token(AGENT_PROVIDER, AGENT_SUB, cnf, *keys[AGENT_PROVIDER], ps=PERSON_SERVER)
    person = aauth.create_person_token(PERSON_SERVER, RESOURCE, PERSON_SUB, cnf, *keys[PERSON_SERVER], agent_exp=exp)
    resource = aauth.create_resource_token(
        RESOURCE, PERSON_SERVER, aauth.calculate_jwk_thumbprint(cnf), *keys[RESOURCE],
        presented_token=person, jwks_fetcher=fetch, scope="inventory:read",
    )
    auth = aauth.create_auth_token(
        PERSON_SERVER, RESOURCE, cnf, *keys[PERSON_SERVER], ps=PERSON_SERVER, sub=PERSON_SUB,
        agent_exp=exp, presented_exp=exp, scope="inventory:read", dwk="aauth-person.json",
    )
    # §Agent Identifiers allows only lower-case letters in the local part; the library admits upper case.
    upper = aauth.create_agent_token(AGENT_PROVIDER, "aauth:Py-Agent@py-agent.example", cnf, *keys[AGENT_PROVIDER])
    return delegate, jwks, {"agent": agent, "person": person, "resource": resource, "auth": auth, "agent_upper": upper}


def verify_token(job, fetch):
    kind, token = job["kind"], job["token"]
    try:
        if kind == "agent":
            aauth.verify_agent_token(token, fetch)
        elif kind == "person":
            aauth.verify_person_token(token, fetch, expected_aud=job["aud"])
        elif kind == "resource":
            aauth.verify_resource_token(token, fetch, presented_token=job["presented"], expected_aud=job["aud"])
        else:
            aauth.verify_token(token, fetch, expected_typ="aa-auth+jwt", expected_aud=job["aud"])
    except Exception as exc:  # the cell reports it
        return {"id": job["id"], "ok": False, "error": _error(exc)}
    return {"id": job["id"], "ok": True}


def verify_request(job, fetch):
    headers = job["headers"]

    def field(name):
        return next((v for k, v in headers.items() if k.lower() == name), "")

    body = job["body"].encode("utf-8") if job.get("body") is not None else None
    try:
        ok = aauth.verify_signature(
            method=job["method"], target_uri=job["url"], headers=headers, body=body,
            signature_input_header=field("signature-input"), signature_header=field("signature"),
            signature_key_header=field("signature-key"), jwks_fetcher=fetch,
        )
    except Exception as exc:
        return {"id": job["id"], "ok": False, "error": _error(exc)}
    return {"id": job["id"], "ok": bool(ok), **({} if ok else {"error": "verify_signature returned False"})}


def sign(job, delegate, tokens):
    headers = dict(job.get("headers", {}))
    body = job["body"].encode("utf-8") if job.get("body") is not None else None
    try:
        signed = aauth.sign_request(
            method=job["method"], target_uri=job["url"], headers=headers, body=body, private_key=delegate,
            sig_scheme="jwt", jwt=tokens[job["carrier"]],
            additional_signature_components=job.get("components") or None,
        )
    except Exception as exc:
        return {"id": job["id"], "error": _error(exc)}
    headers.update(signed)
    return {"id": job["id"], "headers": headers}


def main():
    request = json.load(sys.stdin)
    ours = request.get("ours", {})
    delegate, jwks, tokens = issue()
    ours_fetch = fetcher(ours.get("jwks", {}))
    out = {
        "version": version("aauth"),
        "jwks": jwks,
        "tokens": tokens,
        "verified": [verify_token(job, ours_fetch) for job in ours.get("tokens", [])]
        + [verify_request(job, ours_fetch) for job in ours.get("requests", [])],
        "signed": [sign(job, delegate, tokens) for job in request.get("sign", [])],
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
