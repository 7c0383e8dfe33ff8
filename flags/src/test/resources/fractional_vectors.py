"""Reference vectors for MurmurHash3 x86_32 and flagd's fractional bucketing.

Computed independently of the Java code with the PyPI package mmh3 (`pip install mmh3`), and pasted
into FractionalVectorsTest. Run: python3 fractional_vectors.py

flagd (core/pkg/evaluator/fractional.go, after open-feature/flagd#1909):
  bucketBy = flagKey + targetingKey            (when no bucketing value is given)
  h        = uint32(murmur3_x86_32(utf8(bucketBy), seed 0))
  bucket   = (h * totalWeight) >> 32
  variant  = first entry whose cumulative weight exceeds bucket
"""
import mmh3

CASES = [
    ("headerColor", "user-1", [("red", 25), ("blue", 25), ("green", 25), ("yellow", 25)]),
    ("headerColor", "user-2", [("red", 25), ("blue", 25), ("green", 25), ("yellow", 25)]),
    ("new-checkout", "5c3d8535-f81a-4478-a6d3-afaa4d51199e", [("on", 10), ("off", 90)]),
    ("new-checkout", "alice@example.com", [("on", 10), ("off", 90)]),
    ("new-checkout", "bob@example.com", [("on", 50), ("off", 50)]),
    ("new-checkout", "user-9", [("on", 10), ("off", 90)]),
    ("new-checkout", "user-14", [("on", 10), ("off", 90)]),
    ("rollout", "", [("on", 1), ("off", 1)]),
    ("rollout", "x", [("on", 1), ("off", 999999)]),
    ("banner", "ümlaut-ß-用户-😀", [("a", 1), ("b", 2), ("c", 3)]),
    ("k", "abc", [("a", 2147483646), ("b", 1)]),
    ("feature-x", "tenant-42/user-7", [("control", 33), ("treatment-a", 33), ("treatment-b", 34)]),
    ("", "", [("only", 100)]),
    ("abcd", "efgh", [("a", 3), ("b", 7)]),
]


def bucket_of(key, weights):
    h = mmh3.hash(key.encode("utf-8"), 0, signed=False)
    total = sum(w for _, w in weights)
    bucket = (h * total) >> 32
    cumulative = 0
    for name, weight in weights:
        cumulative += weight
        if bucket < cumulative:
            return h, bucket, name
    raise AssertionError("unreachable")


for flag_key, targeting_key, weights in CASES:
    h, bucket, name = bucket_of(flag_key + targeting_key, weights)
    print(f'{flag_key!r}, {targeting_key!r}, {h}L, {bucket}L, "{name}"')
