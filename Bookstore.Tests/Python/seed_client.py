"""The seed tutorial's Python client, as it calls Recommendations: stubs generated from the published contract
(contract-baseline/recommendations.proto) by protoc and grpc_python_plugin, then one Recommend call per category.

Usage: seed_client.py HOST:PORT STUBS_DIR [CA_PEM KEY_PEM CERTIFICATE_PEM]
With the three PEM files it calls over TLS the way the tutorial's secured client does:
grpc.ssl_channel_credentials(root_certificates=CA, private_key=KEY, certificate_chain=CERTIFICATE).
Prints one line per category: "<CATEGORY> <id>:<title>|<id>:<title>|..." and exits 0; any gRPC error exits 1.
"""
import sys

target, stubs = sys.argv[1], sys.argv[2]
sys.path.insert(0, stubs)

import grpc  # noqa: E402
from recommendations_pb2 import BookCategory, RecommendationRequest  # noqa: E402
from recommendations_pb2_grpc import RecommendationsStub  # noqa: E402

if len(sys.argv) == 6:
    ca, key, chain = (open(path, "rb").read() for path in sys.argv[3:6])
    channel = grpc.secure_channel(target, grpc.ssl_channel_credentials(root_certificates=ca, private_key=key, certificate_chain=chain))
else:
    channel = grpc.insecure_channel(target)
client = RecommendationsStub(channel)
for category in ("MYSTERY", "SCIENCE_FICTION", "SELF_HELP"):
    request = RecommendationRequest(user_id=1, category=BookCategory.Value(category), max_results=3)
    response = client.Recommend(request, timeout=10)
    print(category, "|".join(f"{book.id}:{book.title}" for book in response.recommendations))
