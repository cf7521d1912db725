#!/usr/bin/env python3
"""A small OpenID Connect provider for the single sign-on tests (issue 16): discovery, JWKS,
authorization code with PKCE (S256 only), a token endpoint with client_secret_basic, ID tokens signed
with RS256 (or ES256) by PyPI's `cryptography`. No login form: /authorize answers at once for the user
set through /control, which also chooses a misbehaviour for the next token:

  POST /control {"user": {"sub", "email", "name", "groups"}, "mode": "ok" | "wrong_aud" | "expired" |
                 "bad_signature" | "alg_none" | "wrong_nonce" | "es256", "rotate": true}

"rotate" replaces the RSA signing key by a new one with a new key id (the old key leaves the JWKS).

  python3 scripts/oidc-test-provider.py --client-id caseport --client-secret s3cret [--port 0]

Prints "PORT <n>" once listening; the issuer is http://127.0.0.1:<n>."""
import argparse, base64, hashlib, http.server, json, secrets, socket, time, urllib.parse
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

parser = argparse.ArgumentParser()
parser.add_argument("--client-id", required=True)
parser.add_argument("--client-secret", required=True)
parser.add_argument("--port", type=int, default=0)
args = parser.parse_args()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def number(value):
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


class Keys:
    def __init__(self):
        self.rotate()
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.ec_kid = "ec-1"

    def rotate(self):
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.rsa_kid = "rsa-" + secrets.token_hex(4)

    def jwks(self):
        pub = self.rsa.public_key().public_numbers()
        ecpub = self.ec.public_key().public_numbers()
        return {"keys": [
            {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.rsa_kid, "n": number(pub.n), "e": number(pub.e)},
            {"kty": "EC", "use": "sig", "alg": "ES256", "kid": self.ec_kid, "crv": "P-256",
             "x": b64url(ecpub.x.to_bytes(32, "big")), "y": b64url(ecpub.y.to_bytes(32, "big"))},
        ]}

    def sign(self, claims, mode):
        if mode == "alg_none":
            header = {"alg": "none", "typ": "JWT", "kid": self.rsa_kid}
        elif mode == "es256":
            header = {"alg": "ES256", "typ": "JWT", "kid": self.ec_kid}
        else:
            header = {"alg": "RS256", "typ": "JWT", "kid": self.rsa_kid}
        signing_input = (b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())).encode()
        if mode == "alg_none":
            return signing_input.decode() + "."
        if mode == "es256":
            r, s = decode_dss_signature(self.ec.sign(signing_input, ec.ECDSA(hashes.SHA256())))
            return signing_input.decode() + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048) if mode == "bad_signature" else self.rsa
        return signing_input.decode() + "." + b64url(key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256()))


keys = Keys()
state = {"user": {"sub": "u-1", "email": "sso.user@fastighet.example", "name": "SSO User", "groups": ["caseport-handlers"]},
         "mode": "ok"}
codes = {}


class Handler(http.server.BaseHTTPRequestHandler):
    def issuer(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, status, body=None, headers=()):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/.well-known/openid-configuration":
            issuer = self.issuer()
            return self.answer(200, {"issuer": issuer, "authorization_endpoint": issuer + "/authorize",
                                     "token_endpoint": issuer + "/token", "jwks_uri": issuer + "/jwks",
                                     "response_types_supported": ["code"], "subject_types_supported": ["public"],
                                     "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                                     "code_challenge_methods_supported": ["S256"]})
        if url.path == "/jwks":
            return self.answer(200, keys.jwks())
        if url.path == "/authorize":
            if query.get("client_id") != args.client_id or query.get("response_type") != "code" \
                    or query.get("code_challenge_method") != "S256" or not query.get("code_challenge") \
                    or "openid" not in query.get("scope", "").split():
                return self.answer(400, {"error": "invalid_request"})
            code = secrets.token_urlsafe(24)
            codes[code] = {"redirect_uri": query["redirect_uri"], "challenge": query["code_challenge"],
                           "nonce": query.get("nonce"), "user": dict(state["user"]), "mode": state["mode"]}
            target = query["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": query.get("state", "")})
            return self.answer(302, headers=[("Location", target)])
        self.answer(404, {"error": "not_found"})

    def do_POST(self):
        url = urllib.parse.urlparse(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if url.path == "/control":
            change = json.loads(body or b"{}")
            if "user" in change:
                state["user"] = change["user"]
            if "mode" in change:
                state["mode"] = change["mode"]
            if change.get("rotate"):
                keys.rotate()
            return self.answer(200, {"kid": keys.rsa_kid})
        if url.path == "/token":
            expected = "Basic " + base64.b64encode(
                f"{urllib.parse.quote(args.client_id, safe='')}:{urllib.parse.quote(args.client_secret, safe='')}".encode()).decode()
            if self.headers.get("Authorization") != expected:
                return self.answer(401, {"error": "invalid_client"})
            form = dict(urllib.parse.parse_qsl(body.decode()))
            grant = codes.pop(form.get("code", ""), None)  # one use
            if grant is None or form.get("grant_type") != "authorization_code" or form.get("redirect_uri") != grant["redirect_uri"]:
                return self.answer(400, {"error": "invalid_grant"})
            verifier = form.get("code_verifier", "")
            if b64url(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
                return self.answer(400, {"error": "invalid_grant", "error_description": "PKCE"})
            now, mode = int(time.time()), grant["mode"]
            claims = {"iss": self.issuer(), "sub": grant["user"]["sub"], "aud": args.client_id, "iat": now, "exp": now + 300,
                      "nonce": grant["nonce"], "email": grant["user"].get("email"), "email_verified": True,
                      "name": grant["user"].get("name"), "groups": grant["user"].get("groups", [])}
            if mode == "wrong_aud":
                claims["aud"] = "someone-else"
            elif mode == "expired":
                claims["iat"], claims["exp"] = now - 3600, now - 1800
            elif mode == "wrong_nonce":
                claims["nonce"] = "not-the-nonce"
            return self.answer(200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                                     "id_token": keys.sign(claims, mode)})
        self.answer(404, {"error": "not_found"})

    def log_message(self, *a):
        pass


class Server(http.server.ThreadingHTTPServer):
    def server_bind(self):
        # The tests hold the port while the provider is down (OIDCTestProvider's PortHold): bind beside that hold.
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        super().server_bind()


server = Server(("127.0.0.1", args.port), Handler)
print("PORT", server.server_address[1], flush=True)
server.serve_forever()
