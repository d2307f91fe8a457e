#!/usr/bin/env python3
"""Writes the RefCOCO-style pickle fixtures of ImportReferringTest (run once; the outputs are committed)."""
import pickle
import struct

refs = [{"ref_id": 0, "ann_id": 101, "image_id": 1, "split": "train", "category_id": 1, "file_name": "x_101.jpg",
         "sent_ids": [0, 1],
         "sentences": [{"sent": "the left square", "raw": "The left square.", "tokens": ["the", "left", "square"], "sent_id": 0},
                       {"sent": "red box", "raw": "red box", "tokens": ["red", "box"], "sent_id": 1}]},
        {"ref_id": 1, "ann_id": 102, "image_id": 1, "split": "val", "category_id": 2, "file_name": "x_102.jpg",
         "sent_ids": [2],
         "sentences": [{"sent": "the disc on the right", "raw": "the disc on the right", "tokens": ["the", "disc"], "sent_id": 2}]}]

# Protocol 0, as Python 2's default pickle.dump writes it (text opcodes).
open("refs_protocol0.p", "wb").write(pickle.dumps(refs, protocol=0))

# Protocol 2 with Python 2 str (SHORT_BINSTRING), as cPickle.dump(..., 2) writes it.
out = bytearray(b"\x80\x02")
memo = [0]


def put():
    out.extend(b"q" + bytes([memo[0]]))
    memo[0] += 1


def w(v):
    if isinstance(v, str):
        b = v.encode()
        out.extend(b"U" + bytes([len(b)]) + b)
        put()
    elif isinstance(v, int):
        out.extend(b"K" + bytes([v]) if 0 <= v < 256 else b"J" + struct.pack("<i", v))
    elif isinstance(v, list):
        out.extend(b"]")
        put()
        out.extend(b"(")
        for x in v:
            w(x)
        out.extend(b"e")
    elif isinstance(v, dict):
        out.extend(b"}")
        put()
        out.extend(b"(")
        for k, x in v.items():
            w(k)
            w(x)
        out.extend(b"u")


w(refs)
out.extend(b".")
open("refs_protocol2.p", "wb").write(bytes(out))
assert pickle.loads(bytes(out), encoding="latin1") == refs

# A hostile pickle: Python's pickle.load would run os.system.
open("hostile_refs.p", "wb").write(b"cos\nsystem\n(S'echo pwned'\ntR.")
