"""Webhook bodies are what JavaScript's JSON.stringify writes, so the documented Node.js
verification code accepts their signatures."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tasks.delivery.webhook_format import js_json, sign_body

PAYLOADS = [
    {"event": "lead_generation.completed", "data": {"verified_percentage": 92.0, "score": 0.78}},
    {"b": 1, "10": 2, "2": 3, "a": {"01": 1, "1": 2}},
    {"text": "Zoë & \"quotes\" \\ / \n\t\u2028 ✓", "emoji": "🚀"},
    {"numbers": [0.1 + 0.2, 1e21, 1e-7, 0.00001, 123456789.125, -0.0, 5e-324, 1.5e300]},
    {"empty": {}, "list": [], "null": None, "bool": [True, False]},
]

NODE_CHECK = r"""
const crypto = require('crypto');
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = input.map(({body, signature, secret}) => {
  const request = {headers: {'uncodie-signature': signature}, body: JSON.parse(body)};
  // The verification function from uncodie-lead-generation-command.md, verbatim:
  function verifyWebhookSignature(request, secret) {
    const signature = request.headers['uncodie-signature'];
    const payload = JSON.stringify(request.body);
    const expectedSignature = 'sha256=' +
      crypto.createHmac('sha256', secret)
        .update(payload)
        .digest('hex');
    return crypto.timingSafeEqual(
      Buffer.from(signature),
      Buffer.from(expectedSignature)
    );
  }
  return verifyWebhookSignature(request, secret);
});
console.log(JSON.stringify(out));
"""


@pytest.mark.parametrize("payload", PAYLOADS)
def test_body_parses_back_to_the_payload(payload):
    assert json.loads(js_json(payload)) == json.loads(json.dumps(payload))


def test_integer_like_keys_come_first_in_ascending_order():
    assert js_json({"b": 1, "10": 2, "2": 3}) == '{"2":3,"10":2,"b":1}'


def test_integral_floats_print_without_a_fraction():
    assert js_json({"p": 92.0, "q": 1e-7}) == '{"p":92,"q":1e-7}'


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_documented_node_verification_accepts_every_signature():
    cases = []
    for index, payload in enumerate(PAYLOADS):
        body = js_json(payload).encode()
        secret = f"secret-{index}"
        cases.append({"body": body.decode(), "signature": sign_body(body, secret),
                      "secret": secret})
    result = subprocess.run(["node", "-e", NODE_CHECK], input=json.dumps(cases), text=True,
                            capture_output=True, check=True, timeout=60)
    assert json.loads(result.stdout) == [True] * len(PAYLOADS)
