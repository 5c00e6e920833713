"""The Python side of the interop matrix: signs and verifies with the installed PyPI `aauth`.

Reads one JSON document on stdin, {"sign": [job, ...], "verify": [job, ...], "iss": str},
and writes one on stdout: {"version": str, "agentServerJwk": jwk, "signed": [...], "verified": [...]}.
Only the library's public API is used; every failure is reported with the library's own message.
"""
import json
import sys
from importlib.metadata import version

import aauth

AGENT_SERVER_KID = "py-agent-server-1"
AGENT_SUB = "aauth:py-agent@agent.example"


def error_text(exc):
    text = str(exc) or type(exc).__name__
    cause = exc.__cause__
    if cause is not None and str(cause) and str(cause) not in text:
        text = f"{text} ({cause})"
    return text.splitlines()[0][:300]


def sign(job, delegate, agent_server, iss):
    headers = dict(job.get("headers", {}))
    body = job["body"].encode("utf-8") if job.get("body") is not None else None
    kwargs = {}
    try:
        if job["scheme"] == "jwt":
            cnf = aauth.public_key_to_jwk(delegate.public_key())
            kwargs["jwt"] = aauth.create_agent_token(
                iss=iss, sub=AGENT_SUB, cnf_jwk=cnf, private_key=agent_server, kid=AGENT_SERVER_KID
            )
        signed = aauth.sign_request(
            method=job["method"],
            target_uri=job["url"],
            headers=headers,
            body=body,
            private_key=delegate,
            sig_scheme=job["scheme"],
            additional_signature_components=job.get("components") or None,
            **kwargs,
        )
    except Exception as exc:  # the cell reports it
        return {"id": job["id"], "error": error_text(exc)}
    headers.update(signed)
    return {"id": job["id"], "headers": headers}


def verify(job):
    headers = job["headers"]

    def field(name):
        return next((v for k, v in headers.items() if k.lower() == name), "")

    jwks = job.get("jwks")
    body = job["body"].encode("utf-8") if job.get("body") is not None else None
    try:
        ok = aauth.verify_signature(
            method=job["method"],
            target_uri=job["url"],
            headers=headers,
            body=body,
            signature_input_header=field("signature-input"),
            signature_header=field("signature"),
            signature_key_header=field("signature-key"),
            jwks_fetcher=(lambda *_args: jwks) if jwks is not None else None,
        )
    except Exception as exc:
        return {"id": job["id"], "ok": False, "error": error_text(exc)}
    return {"id": job["id"], "ok": bool(ok), **({} if ok else {"error": "verify_signature returned False"})}


def main():
    request = json.load(sys.stdin)
    delegate, _ = aauth.generate_ed25519_keypair()
    agent_server, _ = aauth.generate_ed25519_keypair()
    iss = request.get("iss", "https://agent.example")
    out = {
        "version": version("aauth"),
        "agentServerJwk": aauth.public_key_to_jwk(agent_server.public_key(), AGENT_SERVER_KID),
        "signed": [sign(job, delegate, agent_server, job.get("iss", iss)) for job in request.get("sign", [])],
        "verified": [verify(job) for job in request.get("verify", [])],
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
