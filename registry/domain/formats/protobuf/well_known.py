"""The ``.proto`` files grpcio-tools bundles with protoc (``google/protobuf/*.proto``):
imports protoc resolves by itself, whatever dependencies a schema is given."""

from __future__ import annotations

import os

import grpc_tools

_GRPC_TOOLS_DIR = os.path.dirname(os.path.abspath(grpc_tools.__file__))
# Where grpc_tools is installed: the one directory protoc's bootstrap needs on sys.path.
SITE_DIR = os.path.dirname(_GRPC_TOOLS_DIR)
WELL_KNOWN_INCLUDE_DIR = os.path.join(_GRPC_TOOLS_DIR, "_proto")


def _bundled_files() -> frozenset[str]:
    names = set()
    for directory, _, files in os.walk(WELL_KNOWN_INCLUDE_DIR):
        relative = os.path.relpath(directory, WELL_KNOWN_INCLUDE_DIR)
        for name in files:
            if name.endswith(".proto"):
                path = name if relative == "." else os.path.join(relative, name)
                names.add(path.replace(os.sep, "/"))
    return frozenset(names)


# Import paths protoc resolves by itself, as grpcio-tools bundles them.
BUNDLED_FILES = _bundled_files()
