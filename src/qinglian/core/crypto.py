"""Personal data at rest: SM4-GCM encryption, HMAC-SM3 lookup hashes and display masks.

Ciphertext layout (base64): version byte ‖ 12-byte nonce ‖ ciphertext ‖ 16-byte tag.
A lookup hash lets "search by exact ID number" work without decrypting every row.
"""

from __future__ import annotations

import base64
import os
from functools import cache

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

_VERSION = b"\x01"
_NONCE = 12
_TAG = 16


@cache
def _keys(field_key_hex: str) -> tuple[bytes, bytes]:
    master = bytes.fromhex(field_key_hex)
    if len(master) != 16:
        raise ValueError("QINGLIAN_FIELD_KEY 必须是 32 位十六进制字符（128 位 SM4 密钥）")
    return _hmac_sm3(master, b"qinglian:sm4")[:16], _hmac_sm3(master, b"qinglian:lookup")


def _hmac_sm3(key: bytes, message: bytes) -> bytes:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(message)
    return mac.finalize()


def hmac_sm3_hex(key: bytes, message: bytes) -> str:
    return _hmac_sm3(key, message).hex()


def encrypt_text(plain: str) -> str:
    if plain == "":
        return ""
    enc_key, _ = _keys(settings.QINGLIAN_FIELD_KEY)
    nonce = os.urandom(_NONCE)
    encryptor = Cipher(algorithms.SM4(enc_key), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plain.encode()) + encryptor.finalize()
    return base64.b64encode(_VERSION + nonce + body + encryptor.tag).decode()


def decrypt_text(token: str) -> str:
    if token == "":
        return ""
    enc_key, _ = _keys(settings.QINGLIAN_FIELD_KEY)
    raw = base64.b64decode(token)
    if raw[:1] != _VERSION:
        raise ValueError("未知的密文版本")
    nonce, body, tag = raw[1 : 1 + _NONCE], raw[1 + _NONCE : -_TAG], raw[-_TAG:]
    decryptor = Cipher(algorithms.SM4(enc_key), modes.GCM(nonce, tag)).decryptor()
    return (decryptor.update(body) + decryptor.finalize()).decode()


def lookup_hash(plain: str) -> str:
    """Keyed hash for exact-match search; empty for empty input."""
    if plain == "":
        return ""
    _, lookup_key = _keys(settings.QINGLIAN_FIELD_KEY)
    return hmac_sm3_hex(lookup_key, plain.strip().upper().encode())


def mask_id_number(value: str) -> str:
    """110105194912310021 → 110***********0021 (first three and last four shown)."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_bank_account(value: str) -> str:
    """6222 0212 3456 7891 234 → 6222 **** **** 1234 (first and last four digits shown;
    spaces and hyphens ignored)."""
    digits = "".join(ch for ch in value if ch not in " -\t")
    if len(digits) <= 8:
        return "*" * len(digits)
    return f"{digits[:4]} **** **** {digits[-4:]}"


def mask_address(value: str) -> str:
    """浙江省杭州市西湖区文三路 1 号 → 浙江省杭州市**** (the first six characters — province and
    city, or city and district — shown; the street and number hidden)."""
    text = "".join(value.split())
    if len(text) <= 6:
        return text[:2] + "****" if len(text) > 2 else "*" * len(text)
    return text[:6] + "****"
