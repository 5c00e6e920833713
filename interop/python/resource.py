"""A resource built from PyPI `aauth`'s own RequestVerifier and ChallengeBuilder, on loopback.

Reads {"auth_server": issuer, "scope": str} on stdin, listens on 127.0.0.1 (ephemeral port) and
writes one line {"resource": origin, "identifier": id, "version": str} on stdout, then serves until
it is stopped. Routes: `/.well-known/aauth-resource.json`, its JWKS, and `GET /inventory`, which
answers 200 to an auth token with the scope, a 401 challenge (resource token for the auth server)
to a verified agent, and a 401 with the verifier's own message to anything it refuses.
`GET /challenge` is the same, except that a request without an auth token gets its challenge
before the verifier runs: it shows whether the rest of the flow (our auth server taking the
library's resource token) would work once the first request were accepted.
Releases from 0.5 on take only https identifiers without a port, so there the resource names
itself `https://resource.example` while it listens on loopback.
"""
import json
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version

import httpx
import jwt as pyjwt
import aauth

RESOURCE_KID = "py-resource-1"
LATER_DRAFT = int(version("aauth").split(".")[1]) >= 5
DOCUMENTS = ("aauth-agent.json", "aauth-issuer.json")


def fetch_jwks(identifier, dwk=None, _kid=None):
    """The JWKS an issuer publishes: `{identifier}/.well-known/{document}` → `jwks_uri`."""
    with httpx.Client(timeout=5) as http:
        for document in (dwk,) if dwk else DOCUMENTS:
            r = http.get(f"{identifier}/.well-known/{document}")
            if r.status_code == 200 and "jwks_uri" in r.json():
                return http.get(r.json()["jwks_uri"]).json()
    return None


def presented_token(headers):
    """The `jwt` parameter of the Signature-Key (RFC 8941 string), read without the library's
    parser: 0.1.1's reads only its own parenthesised form."""
    match = re.search(r'jwt="([^"]*)"', headers.get("signature-key", ""))
    return match.group(1) if match else ""


def cnf_key(headers):
    """The presented token, its claims, and its `cnf.jwk` (the key the request is signed with)."""
    token = presented_token(headers)
    claims = pyjwt.decode(token, options={"verify_signature": False})
    return token, claims, aauth.jwk_to_public_key(claims["cnf"]["jwk"])


def presents_auth_token(headers):
    return pyjwt.get_unverified_header(presented_token(headers)).get("typ") in ("auth+jwt", "aa-auth+jwt")


def main():
    cfg = json.load(sys.stdin)
    private_key, public_key = aauth.generate_ed25519_keypair()
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    authority = f"127.0.0.1:{server.server_address[1]}"
    origin = f"http://{authority}"
    identifier = "https://resource.example" if LATER_DRAFT else origin
    jwks = {"keys": [aauth.public_key_to_jwk(public_key, RESOURCE_KID)]}
    metadata = {"resource": identifier, "jwks_uri": f"{origin}/jwks.json"}
    options = {"resource_id": identifier} if LATER_DRAFT else {}
    verifier = aauth.RequestVerifier(
        canonical_authorities=[authority], jwks_fetcher=fetch_jwks, trusted_auth_servers=[cfg["auth_server"]], **options
    )
    challenges = aauth.ChallengeBuilder(
        identifier, private_key, RESOURCE_KID, cfg["auth_server"], **({"jwks_fetcher": fetch_jwks} if LATER_DRAFT else {})
    )

    def challenge(headers):
        token, claims, key = cnf_key(headers)
        if LATER_DRAFT:
            return challenges.build_challenge(
                require_auth_token=True, presented_token=token, agent_public_key=key, scope=cfg["scope"]
            )
        value = challenges.build_challenge(
            require_auth_token=True, agent_id=claims["iss"], agent_public_key=key, scope=cfg["scope"]
        )
        return "AAuth", value

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args):
            pass

        def answer(self, status, body, extra=None):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/.well-known/aauth-resource.json":
                return self.answer(200, metadata)
            if self.path == "/jwks.json":
                return self.answer(200, jwks)
            route = self.path.split("?")[0]
            if route not in ("/inventory", "/challenge"):
                return self.answer(404, {"error": "not_found"})
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                if route == "/challenge" and not presents_auth_token(headers):
                    name, value = challenge(headers)
                    return self.answer(401, {"error": "auth_token_required"}, {name: value})
                result = verifier.verify_request("GET", f"http://{authority}{self.path}", headers, None)
                if not result["valid"]:
                    code = result.get("error_code") or "invalid_signature"
                    return self.answer(401, {"error": code, "error_description": result["error"]})
                scopes = result.get("scopes") or []
                if cfg["scope"] in scopes and (not LATER_DRAFT or result.get("token_type") == "aa-auth+jwt"):
                    return self.answer(200, {"agent": result.get("agent_id"), "scope": " ".join(scopes)})
                name, value = challenge(headers)
                return self.answer(401, {"error": "auth_token_required"}, {name: value})
            except Exception as exc:  # the cell reports it
                return self.answer(500, {"error": "server_error", "error_description": f"{type(exc).__name__}: {exc}"[:200]})

    server.RequestHandlerClass = Handler
    print(json.dumps({"resource": origin, "identifier": identifier, "version": version("aauth")}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
