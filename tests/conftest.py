"""Put this checkout on the import path as ``ansible_collections.containerd.runtime``."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "integration"))

from harness.ansible import ensure_collection_link  # noqa: E402

sys.path.insert(0, str(ensure_collection_link()))
